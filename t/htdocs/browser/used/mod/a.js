window.qpA = 1;
