console.log("own");
