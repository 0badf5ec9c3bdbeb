## Informe de importación
import-file = Archivo { $file }
import-failed = No importado: { $reason }
import-detected = Leído como { $kind } ({ $format })
import-rows-read = { $count ->
    [one] 1 fila leída
   *[other] { $n } filas leídas
}
import-stored = { $count ->
    [one] 1 guardada
   *[other] { $n } guardadas
}
import-duplicates = { $count ->
    [one] 1 duplicada (ya guardada, idéntica)
   *[other] { $n } duplicadas (ya guardadas, idénticas)
}
import-conflicts = { $count ->
    [one] 1 duplicada en conflicto (se conserva la guardada, la nueva va a cuarentena)
   *[other] { $n } duplicadas en conflicto (se conservan las guardadas, las nuevas van a cuarentena)
}
import-rejected-rows = { $count ->
    [one] 1 fila rechazada entera
   *[other] { $n } filas rechazadas enteras
}
import-rejected-fields = { $count ->
    [one] 1 valor rechazado (guardado vacío)
   *[other] { $n } valores rechazados (guardados vacíos)
}
import-by-reason = En cuarentena, por motivo:
import-unknown-columns = Columnas ignoradas: { $columns }
import-elapsed = { $secs } s, { $rate } filas/s
progress-eta = faltan

kind-telemetry = telemetría
kind-trucks = perfiles de camión
kind-purchases = compras con tarjeta de combustible

## Motivos de cuarentena
reason-missing-truck-id = sin identificador de camión
reason-bad-truck-id = identificador de camión inservible (vacío, más de 64 caracteres o caracteres de control)
reason-missing-ts = sin marca de tiempo
reason-bad-ts = marca de tiempo ilegible
reason-ambiguous-date = fecha que puede ser día/mes o mes/día
reason-ts-out-of-range = marca de tiempo fuera de 1990–2100
reason-unparseable = valor ilegible
reason-unit-mismatch = valor en una unidad que no corresponde a la columna
reason-not-finite = valor NaN o infinito
reason-out-of-range = valor fuera de su rango físico
reason-bad-id = identificador de conductor o tarjeta inservible
reason-column-count = número de columnas incorrecto
reason-bad-json = línea JSON rota
reason-bad-calibration = tabla de calibración inservible
reason-missing-value = falta un valor obligatorio
reason-conflicting-duplicate = mismo camión y hora ya guardados con otros valores

## Notas de detección
note-delimiter-detected = separador detectado: «{ $value }»
note-bom = marca de orden de bytes omitida
note-utf16 = texto UTF-16 convertido
note-latin1 = no es UTF-8: leído como Windows-1252 / Latin-1
note-preamble = { $value } líneas de título antes de la cabecera omitidas
note-repeated-header = cabecera repetida en la línea { $value } omitida
note-header-alias = columnas reconocidas: { $value }
note-mapped = columnas asignadas por el archivo de asignación: { $value }
note-shadowed = columna { $column } ignorada: { $value } ya la aporta
note-unit-from-header = columna { $column }: unidad { $value } tomada de la cabecera, convertida
note-unit-glued = columna { $column }: unidad { $value } escrita junto a los valores, convertida
note-decimal = columna { $column }: separador decimal { $value }
note-naive-timestamps = marcas de tiempo sin desfase leídas en { $value }
note-epoch-unit = columna { $column }: época en { $value }
note-date-order = columna { $column }: fechas leídas como { $value }
note-split-timestamp = columnas de fecha y hora combinadas: { $column }
note-default-truck-id = sin columna de vehículo: todas las filas son de { $value }
note-positional = sin cabecera: columnas en el orden documentado

## Tablas
col-truck = Camión
col-name = Nombre
col-tank-l = Depósito (L)
col-points = Puntos
col-last-seen = Último dato (UTC)
col-first = Primero (UTC)
col-last = Último (UTC)
col-span-h = Periodo (h)
col-distance-km = Distancia (km)
col-fuel-used-l = Combustible usado (L)
col-rejected = Rechazados
trucks-empty = Aún no hay camiones. Importe telemetría o un trucks.csv con `fuelcopilot import ARCHIVO`.
summary-empty = Aún no hay datos. Importe telemetría con `fuelcopilot import ARCHIVO`.

## Ajustes
setting-time-zone = zona horaria de la flota (IANA)
setting-currency = moneda (ISO 4217)
setting-fuel-price-per-l = precio del combustible por litro
setting-speed-limit-kmh = límite de velocidad para el coaching (km/h)
setting-idle-min-s = ralentí mínimo que cuenta (s)
setting-alert-threshold = confianza que dispara una alerta (0 a 1)
setting-retention-days = días que se guardan los puntos en bruto
setting-reconcile-radius-m = radio compra-repostaje (m)
setting-reconcile-window-min = ventana compra-repostaje (± minutos)

## Exportación
export-done = { $count ->
    [one] 1 fila escrita en { $file }
   *[other] { $n } filas escritas en { $file }
}

## Errores
error-prefix = Error: { $message }
hint-store-unavailable = Revise la URL de --db, que la carpeta exista y se pueda escribir, o que el servidor esté en marcha.
hint-store-busy = Otro programa tiene la base de datos; ciérrelo o espere e inténtelo de nuevo.
hint-store-corrupt = El archivo de la base de datos está dañado; restaure una copia o use --db con un archivo nuevo.
hint-ambiguous-dates = Indique cómo leer las fechas con --date-order dmy, mdy o ymd.
hint-invalid-input = Corrija el valor y vuelva a ejecutar la orden.
hint-io = Compruebe que la ruta existe y que puede leerla (o escribirla).
error-store-unavailable = no se puede abrir ni alcanzar el almacén de datos
error-store-corrupt = el archivo del almacén de datos está dañado o no es una base de datos de Fuel Copilot
error-store-busy = el almacén de datos está ocupado (otro programa está escribiendo en él)
error-store-full = el disco del almacén de datos está lleno
error-store-read-only = el almacén de datos es de solo lectura
error-store-migration = no se pudo actualizar el almacén de datos a esta versión de Fuel Copilot
error-store-too-new = el almacén de datos lo creó una versión más nueva de Fuel Copilot; actualice la aplicación
error-store-unsupported = esta compilación no admite este tipo de base de datos; use sqlite://RUTA
error-store-encode = no se pudo codificar un valor para el almacén de datos
error-store-internal = error inesperado del almacén de datos
error-import-io = no se puede leer { $path }: { $reason }
error-import-empty = el archivo está vacío
error-import-no-header = no se encontró la fila de cabecera (primera línea: «{ $first_line }»); nombre las columnas (truck_id, ts, ...) o indique un archivo de asignación con --mapping
error-import-missing-column = falta la columna «{ $field }» en este archivo de { $kind }; renombre una columna a «{ $field }» o asígnela con --mapping (para un solo vehículo, --truck ID)
error-ambiguous-dates = las fechas de la columna «{ $column }» son ambiguas (p. ej. «{ $sample }»: ¿día/mes o mes/día?); vuelva a ejecutar con --date-order dmy o --date-order mdy
error-ambiguous-decimal = los números de la columna «{ $column }» son ambiguos (p. ej. «{ $sample }»: ¿separador decimal o de miles?); vuelva a ejecutar con --decimal comma o --decimal dot
error-import-json-array = esto es un arreglo JSON, no JSON Lines; escriba un objeto por línea
error-bad-mapping = archivo de asignación no válido: { $reason }
error-io = no se puede acceder a { $path }: { $reason }
error-invalid-input = { $what }: { $reason }
error-not-found = { $what } no existe (o ya no existe); actualice la lista y vuelva a intentarlo
error-internal = error interno ({ $reason }); por favor, infórmelo

## Analysis
analysis-rows = { $rows } filas analizadas en { $secs } s ({ $rate } filas/s); { $rejected } rechazadas
analysis-trucks = Balance de combustible por camión
analysis-col-fuel-used = Combustible usado ({ $unit })
analysis-col-distance = Distancia ({ $unit })
analysis-col-efficiency = L/100 km
analysis-col-idle-h = Ralentí (h)
analysis-col-idle-fuel = Combustible en ralentí ({ $unit })
analysis-col-events = Alertas
analysis-events = Alertas (confianza ≥ { $threshold })
analysis-events-empty = Ninguna carga ni extracción alcanzó el umbral de alerta.
analysis-event-line = { $kind } { $truck } { $start } → { $end }: { $volume }, confianza { $confidence }
analysis-kind-fill = carga
analysis-kind-drain = extracción
analysis-purchases = Compras con tarjeta de combustible
analysis-purchase-line = { $truck } { $time }: { $litres } facturados, { $status }
analysis-status-matched = conciliada
analysis-status-short-fill = carga incompleta
analysis-status-no-fill = sin carga registrada
analysis-status-location-mismatch = camión en otro lugar
analysis-unpaid = { $count ->
    [one] 1 carga sin compra
   *[other] { $n } cargas sin compra
}
analysis-html-written = Informe escrito en { $file }
simulate-done = { $trucks } camiones × { $days } días ({ $profile }, semilla { $seed }): { $rows } filas, { $fills } cargas, { $drains } extracciones, { $purchases } compras → { $dir }
eval-run = { $source }: { $rows } filas, { $labels } etiquetas
eval-header = { $group } ({ $runs } ejecuciones; media ± desviación)
eval-col-method = Método
eval-col-kind = Tipo
eval-col-precision = Precisión
eval-col-recall = Exhaustividad
eval-col-f1 = F1
eval-col-volume-error = Error mediano de volumen (%)
eval-col-false-drains = Extracciones falsas / 100 camión-días
