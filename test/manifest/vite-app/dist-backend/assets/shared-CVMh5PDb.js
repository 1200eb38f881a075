import{t as e}from"./util-C58zqT9B.js";function r(t){document.title=e(t)}export{r as g};
