"""The process machinery that makes deadlines real: the gateway the web layer calls, the
jobs, and the pool of killable query workers behind a keeper process."""
