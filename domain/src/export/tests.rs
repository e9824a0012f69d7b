use super::*;
use crate::dictionary::tests::sample;
use crate::report::tests::{fixture, year_2026};

fn column(table: &Table, header: &str) -> Vec<String> {
    let index = table
        .headers
        .iter()
        .position(|h| h == header)
        .expect("the header exists");
    table.rows.iter().map(|row| row[index].text()).collect()
}

#[test]
fn requests_export_lists_accepted_requests_with_polish_labels() {
    let fixture = fixture();
    let table = requests(&year_2026(false), &fixture.data(), &sample());
    assert_eq!(
        column(&table, "Status"),
        ["Zrealizowane", "Przydzielone", "Anulowane"]
    );
    assert_eq!(
        column(&table, "Osiedle"),
        ["jedwabnik (pl)", "okolna (pl)", "jedwabnik (pl)"]
    );
    assert_eq!(column(&table, "Godziny"), ["2", "0", "0"]);
    // 09:00 UTC in February is 10:00 in Warsaw.
    assert_eq!(column(&table, "Data zgłoszenia")[0], "2026-02-02 10:00");
    let everything = requests(&year_2026(true), &fixture.data(), &sample());
    assert_eq!(everything.rows.len(), 5);
}

#[test]
fn attendance_export_has_one_row_per_presence_on_counted_lists() {
    let fixture = fixture();
    let table = attendance(&year_2026(false), &fixture.data(), &sample());
    assert_eq!(table.rows.len(), 5);
    assert_eq!(column(&table, "Lp."), ["1", "2", "1", "2", "3"]);
    assert_eq!(
        column(&table, "Nowa osoba"),
        ["Nie", "Nie", "Nie", "Nie", "Tak"]
    );
    assert_eq!(
        attendance(&year_2026(true), &fixture.data(), &sample())
            .rows
            .len(),
        6
    );
}

#[test]
fn volunteer_hours_export_has_each_entry_of_the_period() {
    let fixture = fixture();
    let table = volunteer_hours(&year_2026(false), &fixture.data(), &sample());
    assert_eq!(
        column(&table, "Dzień"),
        ["2026-01-05", "2026-02-03", "2026-02-03"]
    );
    assert_eq!(column(&table, "Godziny"), ["1", "1,5", "0,5"]);
}

#[test]
fn residents_export_leaves_out_merged_duplicates() {
    let fixture = fixture();
    let table = residents(&fixture.data(), &sample());
    assert_eq!(
        column(&table, "Imię i nazwisko"),
        ["Anna", "Bogdan", "Celina"]
    );
}

#[test]
fn statistics_have_a_sheet_per_breakdown() {
    let fixture = fixture();
    let sheets = tables(
        ExportKind::Statistics,
        &year_2026(false),
        &fixture.data(),
        &sample(),
    );
    let names: Vec<_> = sheets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Podsumowanie",
            "Miesiące",
            "Cele planu",
            "Statusy",
            "Kategorie",
            "Osiedla",
            "Grupy docelowe",
            "Wolontariusze"
        ]
    );
    assert!(sheets.iter().all(|t| t.name.chars().count() <= 31));
    assert_eq!(
        column(&sheets[0], "Wartość"),
        ["3", "1", "5", "4", "3", "3"]
    );
}

#[test]
fn file_names_keep_the_words_without_polish_letters_or_punctuation() {
    assert_eq!(
        file_slug("Klub seniora „Pod lipą”"),
        "klub-seniora-pod-lipa"
    );
    assert_eq!(file_slug("Żółć, źdźbło & łąka!"), "zolc-zdzblo-laka");
    assert_eq!(file_slug("„…”"), "bez-tytulu");
    assert!(file_slug(&"Spotkanie sąsiedzkie ".repeat(10)).len() <= 40);
}

#[test]
fn a_csv_field_that_begins_like_a_formula_stays_text() {
    for formula in [
        "=HYPERLINK(\"http://example.com\",\"Kliknij\")",
        "+48 600 100 200",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ] {
        assert_eq!(csv_text(formula), format!("'{formula}"));
    }
    for plain in [
        "Anna Żółkiewska",
        "Zakupy: chleb, mleko",
        "'cytat'",
        "",
        " =1",
    ] {
        assert_eq!(csv_text(plain), plain);
    }
}
