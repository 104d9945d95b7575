complete --keep-order --exclusive --command outbound --arguments "(COMPLETE=fish outbound -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
