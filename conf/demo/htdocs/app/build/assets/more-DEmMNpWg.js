function n(e){e.textContent="Loaded on demand"}export{n as more};
