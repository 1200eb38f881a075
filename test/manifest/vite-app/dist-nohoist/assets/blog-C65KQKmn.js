import{g}from"./shared-B2tF-RD8.js";g("blog");
