import{t as o}from"./util-C58zqT9B.js";function e(){document.body.append(o("more"))}export{e as more};
