window.qpNever = 1;
