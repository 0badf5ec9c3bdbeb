## HTML analysis report
report-title = Fuel report
report-subtitle = { $rows } rows analysed · { $trucks } trucks · alert threshold { $threshold } · times in { $zone }
report-generated-by = Fuel Copilot, detector { $version }
report-ledger = Fuel ledger per truck
report-ledger-note = Fuel used = level at start − level at end + fills − drains.
report-col-truck = Truck
report-col-name = Name
report-col-period = Period
report-col-distance = Distance ({ $unit })
report-col-fuel-used = Fuel used ({ $unit })
report-col-efficiency-l = L/100 km
report-col-efficiency-mpg = mpg (US)
report-col-idle-h = Idle (h)
report-col-idle-fuel = Idle fuel ({ $unit })
report-col-fills = Fills
report-col-drains = Drains
report-col-alerts = Alerts
report-col-time = Time
report-col-station = Station
report-col-billed = Billed ({ $unit })
report-col-measured = Measured ({ $unit })
report-col-difference = Difference ({ $unit })
report-col-status = Status
report-col-volume = Volume ({ $unit })
report-col-confidence = Confidence
report-no-profile = no tank profile
report-events = Events
report-events-empty = No fill or drain reached the alert threshold.
report-event-fill = Fill
report-event-drain = Drain
report-event-heading = { $kind } · { $truck } · { $time }
report-evidence = { $change } in { $minutes } min, { $motion }, { $ignition }; expected consumption { $expected }; confidence { $confidence }
report-parked = parked
report-moving = moving
report-ignition-on = ignition on
report-ignition-off = ignition off
report-ignition-unknown = ignition unknown
report-chart-label = Fuel level around the event: raw readings, filtered level and the event window
report-chart-raw = raw
report-chart-filtered = filtered
report-chart-window = event window
report-reconciliation = Fuel-card reconciliation
report-reconciliation-empty = No purchases were given.
report-status-matched = matched
report-status-short-fill = short fill
report-status-no-fill = no fill seen
report-status-location-mismatch = truck elsewhere
report-unpaid = Fills with no purchase
report-unpaid-empty = Every fill was paid by a purchase.
report-faults = Sensor faults
report-fault-line = { $truck }: sensor stuck { $start } to { $end }, hiding { $volume } of consumption
report-rejected = { $count ->
    [one] 1 row could not be read and was left out.
   *[other] { $n } rows could not be read and were left out.
}
