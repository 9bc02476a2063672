"""The panels: each a Qt widget that shows fields of an :class:`~lstm_explorer.document.ExplorerDocument`
(and its playback). Views never read the window or each other; export renders them offscreen."""
