## Feed en vivo: `serve-feed` (la pasarela) y `serve` (modo servidor)
live-feed-listening = Sirviendo el feed en { $url }
live-feed-token = Token: { $token }
live-feed-source-sim = Origen: una flota simulada de { $trucks } camiones a { $speed }× tiempo real
live-feed-source-rate = Origen: una flota simulada de { $trucks } camiones, { $rate } puntos por segundo
live-feed-source-replay = Origen: { $file } a { $speed }× tiempo real
live-feed-ended = El origen terminó tras { $batches } lotes ({ $points } puntos); se sigue sirviendo hasta Ctrl-C.
live-stopped = Detenido.
live-builtin-sim = la flota simulada integrada
live-serve-following = Siguiendo { $feed } hacia { $db }
live-serve-listening = Servidor del bus en { $url }: /ws/fleet, /ws/truck/ID, /ws/stats, /ws/alerts
live-serve-status = { $trucks } camiones ({ $driving } en marcha, { $idle } al ralentí, { $offline } sin conexión) · { $rate } puntos/s · { $stored } guardados · latencia p99 { $p99 } ms · feed { $feed }
live-connected = conectado
live-disconnected = desconectado
live-serve-ended = El feed terminó; todo hasta el lote { $seq } está guardado.
live-refused = El feed rechazó la conexión ({ $code }). Revise --feed-token y la URL del feed.
