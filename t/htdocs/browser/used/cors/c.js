window.qpC = 1;
