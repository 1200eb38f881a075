window.qpB = 1;
