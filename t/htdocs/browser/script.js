window.quartpushBrowserScript = true;
