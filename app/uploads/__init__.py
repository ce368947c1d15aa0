"""Taking files from people and giving them back, for every domain that does (papers,
follow-up evidence): streamed multipart forms with a size cap, virus scanning with clamd and
the refusals, safe file names, streamed downloads. Core: imports no domain."""
