## Informe de importación
import-rows-read = { $count ->
    [one] 1 fila leída
   *[other] { $count } filas leídas
}
