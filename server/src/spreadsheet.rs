//! Export tables as files: CSV for anything that reads text, XLSX for the centre's spreadsheets.

use domain::export::{csv_text, Cell, Table};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A CSV file as every export writes one: a byte-order mark first, so spreadsheet programs read the
/// Polish letters right; fields with commas, quotes or line breaks quoted by the `csv` crate; every field
/// kept from running as a formula (`domain::export::csv_text`).
pub struct CsvFile(csv::Writer<Vec<u8>>);

impl Default for CsvFile {
    fn default() -> Self {
        Self(csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec()))
    }
}

impl CsvFile {
    pub fn row<I>(&mut self, fields: I) -> Result<(), csv::Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.0.write_record(
            fields
                .into_iter()
                .map(|field| csv_text(field.as_ref()).into_owned()),
        )
    }

    pub fn into_bytes(self) -> Result<Vec<u8>, csv::Error> {
        self.0.into_inner().map_err(|e| e.into_error().into())
    }
}

/// One table as CSV.
pub fn csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut file = CsvFile::default();
    file.row(&table.headers)?;
    for row in &table.rows {
        file.row(row.iter().map(Cell::text))?;
    }
    file.into_bytes()
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
