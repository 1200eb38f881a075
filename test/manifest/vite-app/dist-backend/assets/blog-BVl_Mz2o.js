import{g as o}from"./shared-CVMh5PDb.js";import"./util-C58zqT9B.js";o("blog");
