function n(t){return"["+t+"]"}export{n as t};
