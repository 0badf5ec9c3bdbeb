## Import report
import-file = File { $file }
import-failed = Not imported: { $reason }
import-detected = Read as { $kind } ({ $format })
import-rows-read = { $count ->
    [one] 1 row read
   *[other] { $n } rows read
}
import-stored = { $count ->
    [one] 1 stored
   *[other] { $n } stored
}
import-duplicates = { $count ->
    [one] 1 duplicate (already stored, identical)
   *[other] { $n } duplicates (already stored, identical)
}
import-conflicts = { $count ->
    [one] 1 conflicting duplicate (stored row kept, newcomer quarantined)
   *[other] { $n } conflicting duplicates (stored rows kept, newcomers quarantined)
}
import-rejected-rows = { $count ->
    [one] 1 row rejected whole
   *[other] { $n } rows rejected whole
}
import-rejected-fields = { $count ->
    [one] 1 value rejected (stored as empty)
   *[other] { $n } values rejected (stored as empty)
}
import-by-reason = In quarantine, by reason:
import-unknown-columns = Ignored columns: { $columns }
import-elapsed = { $secs } s, { $rate } rows/s
progress-eta = left

kind-telemetry = telemetry
kind-trucks = truck profiles
kind-purchases = fuel-card purchases

## Quarantine reasons
reason-missing-truck-id = no truck id
reason-bad-truck-id = unusable truck id (empty, over 64 characters or control characters)
reason-missing-ts = no timestamp
reason-bad-ts = unreadable timestamp
reason-ambiguous-date = date that could be day/month or month/day
reason-ts-out-of-range = timestamp outside 1990–2100
reason-unparseable = unreadable value
reason-unit-mismatch = value in a unit that does not fit the column
reason-not-finite = NaN or infinite value
reason-out-of-range = value outside its physical range
reason-bad-id = unusable driver or card id
reason-column-count = wrong number of columns
reason-bad-json = broken JSON line
reason-bad-calibration = unusable calibration table
reason-missing-value = required value missing
reason-conflicting-duplicate = same truck and time already stored with other values

## Notes on detection
note-delimiter-detected = separator detected: “{ $value }”
note-bom = byte-order mark skipped
note-utf16 = UTF-16 text converted
note-latin1 = not UTF-8: read as Windows-1252 / Latin-1
note-preamble = { $value } title lines before the header skipped
note-repeated-header = repeated header row at line { $value } skipped
note-header-alias = columns recognised: { $value }
note-mapped = columns mapped by the mapping file: { $value }
note-shadowed = column { $column } ignored: { $value } already provides it
note-unit-from-header = column { $column }: unit { $value } from the header, converted
note-unit-glued = column { $column }: unit { $value } written with the values, converted
note-decimal = column { $column }: decimal separator { $value }
note-naive-timestamps = timestamps without offset read in { $value }
note-epoch-unit = column { $column }: epoch { $value }
note-date-order = column { $column }: dates read as { $value }
note-split-timestamp = date and time columns combined: { $column }
note-default-truck-id = no vehicle column: every row belongs to { $value }
note-positional = no header row: columns taken in the documented order

## Tables
col-truck = Truck
col-name = Name
col-tank-l = Tank (L)
col-points = Points
col-last-seen = Last seen (UTC)
col-first = First (UTC)
col-last = Last (UTC)
col-span-h = Span (h)
col-distance-km = Distance (km)
col-fuel-used-l = Fuel used (L)
col-rejected = Rejected
trucks-empty = No trucks yet. Import telemetry or a trucks.csv with `fuelcopilot import FILE`.
summary-empty = No data yet. Import telemetry with `fuelcopilot import FILE`.

## Settings
setting-time-zone = fleet time zone (IANA)
setting-currency = currency (ISO 4217)
setting-fuel-price-per-l = fuel price per litre
setting-speed-limit-kmh = speed limit for coaching (km/h)
setting-idle-min-s = shortest idle that counts (s)
setting-alert-threshold = confidence that raises an alert (0 to 1)
setting-retention-days = days of raw points kept
setting-reconcile-radius-m = purchase-to-refuel radius (m)
setting-reconcile-window-min = purchase-to-refuel window (± minutes)

## Export
export-done = { $count ->
    [one] 1 row written to { $file }
   *[other] { $n } rows written to { $file }
}

## Errors
error-prefix = Error: { $message }
hint-store-unavailable = Check the --db URL, that the folder exists and is writable, or that the server is running.
hint-store-busy = Another program holds the database; close it or wait and try again.
hint-store-corrupt = The database file is damaged; restore a backup or point --db to a new file.
hint-ambiguous-dates = Say how to read the dates with --date-order dmy, mdy or ymd.
hint-invalid-input = Correct the value and run the command again.
hint-io = Check that the path exists and that you may read (or write) it.
error-store-unavailable = the data store cannot be opened or reached
error-store-corrupt = the data store file is damaged or is not a Fuel Copilot database
error-store-busy = the data store is busy (another program is writing to it)
error-store-full = the disk holding the data store is full
error-store-read-only = the data store is read-only
error-store-migration = the data store could not be upgraded to this version of Fuel Copilot
error-store-too-new = the data store was created by a newer version of Fuel Copilot; update the app
error-store-unsupported = this kind of database is not supported by this build; use sqlite://PATH
error-store-encode = a value could not be encoded for the data store
error-store-internal = unexpected data store error
error-import-io = cannot read { $path }: { $reason }
error-import-empty = the file is empty
error-import-no-header = no header row found (first line: “{ $first_line }”); name the columns (truck_id, ts, ...) or give a mapping file with --mapping
error-import-missing-column = no “{ $field }” column in this { $kind } file; rename a column to “{ $field }” or map one with --mapping (for a single-vehicle export, --truck ID)
error-ambiguous-dates = dates in column “{ $column }” are ambiguous (e.g. “{ $sample }”: day/month or month/day?); run again with --date-order dmy or --date-order mdy
error-ambiguous-decimal = numbers in column “{ $column }” are ambiguous (e.g. “{ $sample }”: decimal or thousands separator?); run again with --decimal comma or --decimal dot
error-import-json-array = this is a JSON array, not JSON Lines; write one object per line
error-bad-mapping = invalid mapping file: { $reason }
error-io = cannot access { $path }: { $reason }
error-invalid-input = { $what }: { $reason }
error-not-found = { $what } does not exist (any more); refresh the list and try again
error-internal = internal error ({ $reason }); please report it

## Analysis
analysis-rows = { $rows } rows analysed in { $secs } s ({ $rate } rows/s); { $rejected } rejected
analysis-trucks = Fuel ledger per truck
analysis-col-fuel-used = Fuel used ({ $unit })
analysis-col-distance = Distance ({ $unit })
analysis-col-efficiency = L/100 km
analysis-col-idle-h = Idle (h)
analysis-col-idle-fuel = Idle fuel ({ $unit })
analysis-col-events = Alerts
analysis-events = Alerts (confidence ≥ { $threshold })
analysis-events-empty = No fill or drain reached the alert threshold.
analysis-event-line = { $kind } { $truck } { $start } → { $end }: { $volume }, confidence { $confidence }
analysis-kind-fill = fill
analysis-kind-drain = drain
analysis-purchases = Fuel-card purchases
analysis-purchase-line = { $truck } { $time }: { $litres } billed, { $status }
analysis-status-matched = matched
analysis-status-short-fill = short fill
analysis-status-no-fill = no fill seen
analysis-status-location-mismatch = truck elsewhere
analysis-unpaid = { $count ->
    [one] 1 fill with no purchase
   *[other] { $n } fills with no purchase
}
analysis-html-written = Report written to { $file }
simulate-done = { $trucks } trucks × { $days } days ({ $profile }, seed { $seed }): { $rows } rows, { $fills } fills, { $drains } drains, { $purchases } purchases → { $dir }
eval-run = { $source }: { $rows } rows, { $labels } labels
eval-header = { $group } ({ $runs } runs; mean ± sd)
eval-col-method = Method
eval-col-kind = Kind
eval-col-precision = Precision
eval-col-recall = Recall
eval-col-f1 = F1
eval-col-volume-error = Median volume error (%)
eval-col-false-drains = False drains / 100 truck-days
