//! Tables of many runs, for loading a whole batch in one call: one row per run (or person),
//! written as CSV and as Parquet side by side, and a long Parquet table of every run's time
//! series streamed one run at a time.
//!
//! ```text
//! Table { columns, rows of Cell } --write(dir, stem)--> stem.csv + stem.parquet (atomically)
//! ParquetStream::create(path, columns) --append(run's rows)...--> finish(): path.partial renamed
//! ```
//!
//! A column's Parquet type is the one its cells share: all numbers that are whole and
//! non-negative → UInt64, any other numbers → Float64, booleans → Boolean; anything mixed, and
//! text, → Utf8 (as the CSV writes it). Empty cells are nulls. Files carry no time stamp, so
//! the same rows give the same bytes.

use crate::{OutputError, partial, write_err, write_file};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// No value (an empty CSV field, a Parquet null).
    Null,
    /// A flag.
    Bool(bool),
    /// A count, index or seed.
    UInt(u64),
    /// A measurement.
    Float(f64),
    /// Text.
    Text(String),
}

impl Cell {
    /// The text the CSV holds for the cell (numbers as Rust prints them, so they read back
    /// exactly).
    pub fn to_text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bool(b) => b.to_string(),
            Cell::UInt(n) => n.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Text(t) => t.clone(),
        }
    }

    /// A number from text that is one as Rust prints it (so the CSV keeps the text as it was),
    /// else the text.
    pub fn parse(text: &str) -> Cell {
        match text.parse::<f64>() {
            Ok(x) if x.to_string() == text => Cell::Float(x),
            _ => Cell::Text(text.to_string()),
        }
    }
}

/// Rows of cells under named columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// The Parquet type of a column of `cells`.
fn column_type<'a>(cells: impl Iterator<Item = &'a Cell>) -> DataType {
    let (mut uint, mut float, mut boolean, mut text) = (false, false, false, false);
    for cell in cells {
        match cell {
            Cell::Null => {}
            Cell::UInt(_) => uint = true,
            Cell::Float(_) => float = true,
            Cell::Bool(_) => boolean = true,
            Cell::Text(_) => text = true,
        }
    }
    match (uint, float, boolean, text) {
        (_, _, _, true) | (true, _, true, _) | (_, true, true, _) => DataType::Utf8,
        (false, false, true, false) => DataType::Boolean,
        (true, false, false, false) => DataType::UInt64,
        _ => DataType::Float64,
    }
}

/// The cells as an Arrow array of type `kind`.
fn array<'a>(kind: &DataType, cells: impl Iterator<Item = &'a Cell>) -> ArrayRef {
    match kind {
        DataType::Boolean => Arc::new(
            cells
                .map(|c| match c {
                    Cell::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::UInt64 => Arc::new(
            cells
                .map(|c| match c {
                    Cell::UInt(n) => Some(*n),
                    _ => None,
                })
                .collect::<UInt64Array>(),
        ),
        DataType::Float64 => Arc::new(
            cells
                .map(|c| match c {
                    Cell::UInt(n) => Some(*n as f64),
                    Cell::Float(x) => Some(*x),
                    _ => None,
                })
                .collect::<Float64Array>(),
        ),
        _ => Arc::new(
            cells
                .map(|c| (*c != Cell::Null).then(|| c.to_text()))
                .collect::<StringArray>(),
        ),
    }
}

fn parquet_err(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> OutputError + '_ {
    move |e| OutputError::Format {
        path: path.to_path_buf(),
        reason: format!("cannot write Parquet: {e}"),
    }
}

fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("alsim {}", env!("CARGO_PKG_VERSION")))
        .build()
}

impl Table {
    /// A table with these columns and no rows.
    pub fn new(columns: Vec<String>) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    /// The table as CSV bytes, header first.
    pub fn to_csv(&self, path: &Path) -> Result<Vec<u8>, OutputError> {
        let csv_err = |source| OutputError::Csv {
            path: path.to_path_buf(),
            source,
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).map_err(csv_err)?;
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::to_text))
                .map_err(csv_err)?;
        }
        w.into_inner().map_err(|e| OutputError::Format {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// The table as one Arrow record batch, each column typed as its cells are.
    pub fn to_record_batch(&self, path: &Path) -> Result<RecordBatch, OutputError> {
        let kinds: Vec<DataType> = (0..self.columns.len())
            .map(|i| column_type(self.rows.iter().map(|r| &r[i])))
            .collect();
        let schema = Schema::new(
            self.columns
                .iter()
                .zip(&kinds)
                .map(|(name, kind)| Field::new(name, kind.clone(), true))
                .collect::<Vec<_>>(),
        );
        let arrays = kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| array(kind, self.rows.iter().map(|r| &r[i])))
            .collect();
        RecordBatch::try_new(Arc::new(schema), arrays).map_err(|e| OutputError::Format {
            path: path.to_path_buf(),
            reason: format!("rows do not fit the columns: {e}"),
        })
    }

    /// The table as Parquet bytes (Snappy-compressed, one row group).
    pub fn to_parquet(&self, path: &Path) -> Result<Vec<u8>, OutputError> {
        let batch = self.to_record_batch(path)?;
        let mut bytes = Vec::new();
        let mut w = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(writer_properties()))
            .map_err(parquet_err(path))?;
        w.write(&batch).map_err(parquet_err(path))?;
        w.close().map_err(parquet_err(path))?;
        Ok(bytes)
    }

    /// Writes `dir/<stem>.csv` and `dir/<stem>.parquet`, each atomically; returns their paths.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<[PathBuf; 2], OutputError> {
        let csv = dir.join(format!("{stem}.csv"));
        let parquet = dir.join(format!("{stem}.parquet"));
        let (csv_bytes, parquet_bytes) = (self.to_csv(&csv)?, self.to_parquet(&parquet)?);
        write_file(&csv, &csv_bytes)?;
        write_file(&parquet, &parquet_bytes)?;
        Ok([csv, parquet])
    }
}

/// A Parquet table written a part at a time (one row group per part) to `path.partial`, renamed
/// to `path` by [`ParquetStream::finish`]; the columns are given up front with their types.
pub struct ParquetStream {
    path: PathBuf,
    schema: Arc<Schema>,
    writer: ArrowWriter<File>,
}

impl ParquetStream {
    /// Starts the table at `path` with these columns.
    pub fn create(path: &Path, columns: &[(String, DataType)]) -> Result<Self, OutputError> {
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|(name, kind)| Field::new(name, kind.clone(), true))
                .collect::<Vec<_>>(),
        ));
        let tmp = partial(path);
        let file = File::create(&tmp).map_err(write_err(&tmp))?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(writer_properties()))
            .map_err(parquet_err(&tmp))?;
        Ok(Self {
            path: path.to_path_buf(),
            schema,
            writer,
        })
    }

    /// Appends rows given as one array per column, in the columns' order and types.
    pub fn append(&mut self, arrays: Vec<ArrayRef>) -> Result<(), OutputError> {
        let tmp = partial(&self.path);
        let batch =
            RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| OutputError::Format {
                path: tmp.clone(),
                reason: format!("rows do not fit the columns: {e}"),
            })?;
        self.writer.write(&batch).map_err(parquet_err(&tmp))?;
        self.writer.flush().map_err(parquet_err(&tmp))
    }

    /// Closes the table and renames it into place.
    pub fn finish(self) -> Result<PathBuf, OutputError> {
        let tmp = partial(&self.path);
        let file = self.writer.into_inner().map_err(parquet_err(&tmp))?;
        file.sync_all().map_err(write_err(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(write_err(&self.path))?;
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn read(path: &Path) -> RecordBatch {
        let file = File::open(path).unwrap();
        let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        reader.next().unwrap().unwrap()
    }

    #[test]
    fn csv_and_parquet_hold_the_same_rows_with_typed_columns() {
        let mut t = Table::new(
            ["run", "seed", "onset", "flag", "mixed"]
                .map(String::from)
                .to_vec(),
        );
        t.rows.push(vec![
            Cell::Text("a-r0".into()),
            Cell::UInt(u64::MAX),
            Cell::Float(59.25),
            Cell::Bool(true),
            Cell::UInt(3),
        ]);
        t.rows.push(vec![
            Cell::Text("a-r1".into()),
            Cell::UInt(7),
            Cell::Null,
            Cell::Bool(false),
            Cell::Text("Sod1(A4V)".into()),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let [csv, parquet] = t.write(dir.path(), "runs").unwrap();
        assert_eq!(
            std::fs::read_to_string(&csv).unwrap(),
            "run,seed,onset,flag,mixed\na-r0,18446744073709551615,59.25,true,3\na-r1,7,,false,Sod1(A4V)\n"
        );
        let batch = read(&parquet);
        let kinds: Vec<DataType> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        assert_eq!(
            kinds,
            [
                DataType::Utf8,
                DataType::UInt64,
                DataType::Float64,
                DataType::Boolean,
                DataType::Utf8
            ]
        );
        let seeds = batch
            .column(1)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .unwrap();
        assert_eq!(seeds.value(0), u64::MAX);
        let onset = batch
            .column(2)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!((onset.value(0), onset.is_null(1)), (59.25, true));
        // The same rows give the same bytes.
        assert_eq!(
            t.to_parquet(&parquet).unwrap(),
            std::fs::read(&parquet).unwrap()
        );
    }

    #[test]
    fn text_becomes_a_number_only_when_the_csv_would_keep_it_as_written() {
        assert_eq!(Cell::parse("78.3"), Cell::Float(78.3));
        assert_eq!(Cell::parse("1e-5"), Cell::Text("1e-5".into()));
        assert_eq!(Cell::parse("Sod1(A4V)"), Cell::Text("Sod1(A4V)".into()));
        assert_eq!(Cell::parse(""), Cell::Text(String::new()));
    }

    #[test]
    fn a_stream_is_invisible_until_finished_and_then_holds_every_part() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("timeseries.parquet");
        let mut s = ParquetStream::create(
            &path,
            &[
                ("run".into(), DataType::Utf8),
                ("time_days".into(), DataType::Float64),
            ],
        )
        .unwrap();
        for run in ["a", "b"] {
            s.append(vec![
                Arc::new(StringArray::from(vec![run, run])),
                Arc::new(Float64Array::from(vec![0.0, 1.0])),
            ])
            .unwrap();
        }
        assert!(!path.exists());
        // A part that does not fit the columns is refused.
        assert!(
            s.append(vec![Arc::new(Float64Array::from(vec![0.0]))])
                .is_err()
        );
        s.finish().unwrap();
        let file = File::open(&path).unwrap();
        let rows: usize = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum();
        assert_eq!(rows, 4);
    }
}
