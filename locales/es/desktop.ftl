# Mensajes del shell de escritorio (src-tauri): errores que cruzan el IPC.
error-app-internal = algo falló dentro de Fuel Copilot; los detalles están en el registro de la aplicación. Por favor, infórmelo
error-app-starting = no se pudo abrir la base de datos de la flota: { $reason }
error-app-live-stopped = el flujo en vivo no está en marcha
error-app-secret = no se pudo guardar el token del flujo: { $reason }
error-app-bad-format = «{ $value }» no es un formato de exportación; use csv, json o html
