# Messages of the desktop shell (src-tauri): errors that cross IPC.
error-app-internal = something went wrong inside Fuel Copilot; the details are in the app's log. Please report it
error-app-starting = the fleet database could not be opened: { $reason }
error-app-live-stopped = the live feed is not running
error-app-secret = the feed token could not be stored: { $reason }
error-app-bad-format = “{ $value }” is not an export format; use csv, json or html
