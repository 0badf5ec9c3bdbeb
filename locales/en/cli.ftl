## Import report
import-rows-read = { $count ->
    [one] 1 row read
   *[other] { $count } rows read
}
