//! Export tables as files: CSV for anything that reads text, XLSX for the centre's spreadsheets.

use domain::export::{Cell, Table};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One table as CSV: a byte-order mark first, so spreadsheet programs read the Polish letters right;
/// fields with commas, quotes or line breaks are quoted by the `csv` crate.
pub fn csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(&table.headers)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(Cell::text))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

/// Tables as the sheets of one workbook, numbers and dates typed so that sums and filters work.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let decimal = Format::new().set_num_format("0.00");
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&table.name)?;
        for (column, title) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, title, &header)?;
        }
        for (index, row) in table.rows.iter().enumerate() {
            let row_number = index as u32 + 1;
            for (column, cell) in row.iter().enumerate() {
                let column = column as u16;
                match cell {
                    Cell::Text(text) => sheet.write_string(row_number, column, text)?,
                    Cell::Integer(n) => sheet.write_number(row_number, column, *n as f64)?,
                    Cell::Number(n) => {
                        sheet.write_number_with_format(row_number, column, *n, &decimal)?
                    }
                    Cell::Date(d) => {
                        sheet.write_datetime_with_format(row_number, column, d, &date)?
                    }
                    Cell::DateTime(t) => {
                        sheet.write_datetime_with_format(row_number, column, t, &date_time)?
                    }
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
    }
    workbook.save_to_buffer()
}
