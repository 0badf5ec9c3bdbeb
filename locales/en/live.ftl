## Live feed: `serve-feed` (the gateway) and `serve` (server mode)
live-feed-listening = Serving the feed at { $url }
live-feed-token = Token: { $token }
live-feed-source-sim = Source: a simulated fleet of { $trucks } trucks at { $speed }× real time
live-feed-source-rate = Source: a simulated fleet of { $trucks } trucks, { $rate } points per second
live-feed-source-replay = Source: { $file } at { $speed }× real time
live-feed-ended = The source has ended after { $batches } batches ({ $points } points); still serving until Ctrl-C.
live-stopped = Stopped.
live-builtin-sim = the built-in simulated fleet
live-serve-following = Following { $feed } into { $db }
live-serve-listening = Bus server at { $url }: /ws/fleet, /ws/truck/ID, /ws/stats, /ws/alerts
live-serve-status = { $trucks } trucks ({ $driving } driving, { $idle } idling, { $offline } offline) · { $rate } points/s · { $stored } stored · latency p99 { $p99 } ms · feed { $feed }
live-connected = connected
live-disconnected = disconnected
live-serve-ended = The feed has ended; everything up to batch { $seq } is stored.
live-refused = The feed refused the connection ({ $code }). Check --feed-token and the feed URL.
