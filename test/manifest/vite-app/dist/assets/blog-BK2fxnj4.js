import{g as o}from"./shared-B2tF-RD8.js";import"./util-C58zqT9B.js";o("blog");
