## Informe HTML de análisis
report-title = Informe de combustible
report-subtitle = { $rows } filas analizadas · { $trucks } camiones · umbral de alerta { $threshold } · horas en { $zone }
report-generated-by = Fuel Copilot, detector { $version }
report-ledger = Balance de combustible por camión
report-ledger-note = Combustible usado = nivel al inicio − nivel al final + cargas − extracciones.
report-col-truck = Camión
report-col-name = Nombre
report-col-period = Periodo
report-col-distance = Distancia ({ $unit })
report-col-fuel-used = Combustible usado ({ $unit })
report-col-efficiency-l = L/100 km
report-col-efficiency-mpg = mpg (EE. UU.)
report-col-idle-h = Ralentí (h)
report-col-idle-fuel = Combustible en ralentí ({ $unit })
report-col-fills = Cargas
report-col-drains = Extracciones
report-col-alerts = Alertas
report-col-time = Hora
report-col-station = Estación
report-col-billed = Facturado ({ $unit })
report-col-measured = Medido ({ $unit })
report-col-difference = Diferencia ({ $unit })
report-col-status = Estado
report-col-volume = Volumen ({ $unit })
report-col-confidence = Confianza
report-no-profile = sin perfil de depósito
report-events = Eventos
report-events-empty = Ninguna carga ni extracción alcanzó el umbral de alerta.
report-event-fill = Carga
report-event-drain = Extracción
report-event-heading = { $kind } · { $truck } · { $time }
report-evidence = { $change } en { $minutes } min, { $motion }, { $ignition }; consumo esperado { $expected }; confianza { $confidence }
report-parked = estacionado
report-moving = en marcha
report-ignition-on = contacto puesto
report-ignition-off = contacto quitado
report-ignition-unknown = contacto desconocido
report-chart-label = Nivel de combustible alrededor del evento: lecturas, nivel filtrado y la ventana del evento
report-chart-raw = lectura
report-chart-filtered = filtrado
report-chart-window = ventana del evento
report-reconciliation = Conciliación de tarjetas de combustible
report-reconciliation-empty = No se dieron compras.
report-status-matched = conciliada
report-status-short-fill = carga incompleta
report-status-no-fill = sin carga registrada
report-status-location-mismatch = camión en otro lugar
report-unpaid = Cargas sin compra
report-unpaid-empty = Todas las cargas tienen su compra.
report-faults = Fallos de sensor
report-fault-line = { $truck }: sensor bloqueado de { $start } a { $end }, ocultando { $volume } de consumo
report-rejected = { $count ->
    [one] 1 fila no se pudo leer y se dejó fuera.
   *[other] { $n } filas no se pudieron leer y se dejaron fuera.
}
