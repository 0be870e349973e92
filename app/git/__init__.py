"""Git repositories of jobs: remote and ref validation, fetching, one checkout per commit, sync."""
