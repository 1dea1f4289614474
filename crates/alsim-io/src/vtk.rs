//! VTK XML files, as ParaView and VTK read them: ImageData (`.vti`) for values on a voxel grid,
//! PolyData (`.vtp`) for points with values, and a collection (`.pvd`) that lists files by time.
//!
//! Every array is written in the inline `binary` format of the VTK XML specification: base64
//! of a little-endian `UInt64` byte count followed by the little-endian values, encoded as one
//! stream (no compression). [`read_image_data`] and [`read_poly_data`] read back the files this
//! module writes (not VTK files in general), for `alsim render`.

use crate::OutputError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::borrow::Cow;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The values of one array, one component each unless it is a point array.
#[derive(Clone, Debug, PartialEq)]
pub enum Values<'a> {
    /// VTK `Float32`.
    F32(Cow<'a, [f32]>),
    /// VTK `UInt8`.
    U8(Cow<'a, [u8]>),
    /// VTK `UInt64`.
    U64(Cow<'a, [u64]>),
    /// VTK `Int64`.
    I64(Cow<'a, [i64]>),
}

impl Values<'_> {
    fn len(&self) -> usize {
        match self {
            Values::F32(v) => v.len(),
            Values::U8(v) => v.len(),
            Values::U64(v) => v.len(),
            Values::I64(v) => v.len(),
        }
    }

    fn vtk_type(&self) -> &'static str {
        match self {
            Values::F32(_) => "Float32",
            Values::U8(_) => "UInt8",
            Values::U64(_) => "UInt64",
            Values::I64(_) => "Int64",
        }
    }

    /// The values as little-endian bytes.
    fn le_bytes(&self) -> Vec<u8> {
        match self {
            Values::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Values::U8(v) => v.to_vec(),
            Values::U64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Values::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    /// Values of `vtk_type` from little-endian bytes; `None` for a type this module does not
    /// write or a length that is not a whole number of values.
    fn from_le_bytes(vtk_type: &str, bytes: &[u8]) -> Option<Values<'static>> {
        fn words<const N: usize, T>(bytes: &[u8], f: fn([u8; N]) -> T) -> Option<Vec<T>> {
            bytes.len().is_multiple_of(N).then(|| {
                bytes
                    .chunks_exact(N)
                    .map(|c| f(c.try_into().expect("chunks_exact gives N bytes")))
                    .collect()
            })
        }
        Some(match vtk_type {
            "Float32" => Values::F32(words(bytes, f32::from_le_bytes)?.into()),
            "UInt8" => Values::U8(bytes.to_vec().into()),
            "UInt64" => Values::U64(words(bytes, u64::from_le_bytes)?.into()),
            "Int64" => Values::I64(words(bytes, i64::from_le_bytes)?.into()),
            _ => return None,
        })
    }
}

/// A named array of values.
#[derive(Clone, Debug, PartialEq)]
pub struct DataArray<'a> {
    /// The name ParaView lists.
    pub name: Cow<'a, str>,
    /// The values.
    pub values: Values<'a>,
}

/// Values on a grid of cubic voxels: one value per voxel and array, x fastest, then y, then z.
/// Written as VTK cell data, so each voxel is one VTK cell spanning its own volume.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageData<'a> {
    /// Voxels along x, y and z.
    pub voxels: [usize; 3],
    /// Corner of the first voxel, µm.
    pub origin_um: [f64; 3],
    /// Voxel edge along x, y and z, µm.
    pub spacing_um: [f64; 3],
    /// One array per field, each with one value per voxel.
    pub arrays: Vec<DataArray<'a>>,
}

/// Points, each with one value per array, written as VTK PolyData with one vertex per point so
/// that ParaView draws them.
#[derive(Clone, Debug, PartialEq)]
pub struct PolyData<'a> {
    /// Positions, µm.
    pub points: Cow<'a, [[f32; 3]]>,
    /// One array per variable, each with one value per point.
    pub arrays: Vec<DataArray<'a>>,
}

/// One file of a collection: its time and its path relative to the collection.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionEntry {
    /// Simulated time, days.
    pub time_days: f64,
    /// File name, relative to the `.pvd`.
    pub file: String,
}

const HEADER: &str = "<?xml version=\"1.0\"?>\n";

/// `<VTKFile ...>` for a data set of `kind`.
fn open_file(kind: &str) -> String {
    format!(
        "{HEADER}<VTKFile type=\"{kind}\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n"
    )
}

/// Escapes text for an XML attribute value.
fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// One `<DataArray>` in the inline binary format: base64 of the byte count (UInt64) and the
/// values, as one stream.
fn write_array(out: &mut String, name: &str, values: &Values, components: usize, indent: &str) {
    let data = values.le_bytes();
    let mut block = Vec::with_capacity(8 + data.len());
    block.extend_from_slice(&(data.len() as u64).to_le_bytes());
    block.extend_from_slice(&data);
    let _ = writeln!(
        out,
        "{indent}<DataArray type=\"{}\" Name=\"{}\" NumberOfComponents=\"{components}\" format=\"binary\">{}</DataArray>",
        values.vtk_type(),
        escape(name),
        STANDARD.encode(block)
    );
}

/// Three numbers separated by spaces, each in Rust's shortest round-trip form.
fn triple<T: std::fmt::Display>(v: [T; 3]) -> String {
    format!("{} {} {}", v[0], v[1], v[2])
}

/// Whether every array has `expected` values; the name of the first that has not.
fn check_lengths<'a>(arrays: &'a [DataArray], expected: usize) -> Result<(), (&'a str, usize)> {
    match arrays.iter().find(|a| a.values.len() != expected) {
        Some(a) => Err((&a.name, a.values.len())),
        None => Ok(()),
    }
}

impl ImageData<'_> {
    /// The `.vti` text. Panics if an array does not hold one value per voxel (a caller's bug).
    pub fn to_xml(&self) -> String {
        let voxels: usize = self.voxels.iter().product();
        if let Err((name, len)) = check_lengths(&self.arrays, voxels) {
            panic!("array {name} has {len} values for {voxels} voxels");
        }
        let [nx, ny, nz] = self.voxels;
        let extent = format!("0 {nx} 0 {ny} 0 {nz}");
        let mut out = open_file("ImageData");
        let _ = writeln!(
            out,
            "  <ImageData WholeExtent=\"{extent}\" Origin=\"{}\" Spacing=\"{}\">",
            triple(self.origin_um),
            triple(self.spacing_um)
        );
        let _ = writeln!(out, "    <Piece Extent=\"{extent}\">");
        out.push_str("      <PointData>\n      </PointData>\n");
        match self.arrays.first() {
            Some(first) => {
                let _ = writeln!(out, "      <CellData Scalars=\"{}\">", escape(&first.name));
            }
            None => out.push_str("      <CellData>\n"),
        }
        for array in &self.arrays {
            write_array(&mut out, &array.name, &array.values, 1, "        ");
        }
        out.push_str("      </CellData>\n    </Piece>\n  </ImageData>\n</VTKFile>\n");
        out
    }
}

impl PolyData<'_> {
    /// The `.vtp` text. Panics if an array does not hold one value per point (a caller's bug).
    pub fn to_xml(&self) -> String {
        let n = self.points.len();
        if let Err((name, len)) = check_lengths(&self.arrays, n) {
            panic!("array {name} has {len} values for {n} points");
        }
        let mut out = open_file("PolyData");
        out.push_str("  <PolyData>\n");
        let _ = writeln!(
            out,
            "    <Piece NumberOfPoints=\"{n}\" NumberOfVerts=\"{n}\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\"0\">"
        );
        out.push_str("      <PointData>\n");
        for array in &self.arrays {
            write_array(&mut out, &array.name, &array.values, 1, "        ");
        }
        out.push_str("      </PointData>\n      <Points>\n");
        let flat: Vec<f32> = self.points.iter().flatten().copied().collect();
        write_array(&mut out, "Points", &Values::F32(flat.into()), 3, "        ");
        out.push_str("      </Points>\n      <Verts>\n");
        // Vertex i is point i alone: connectivity 0..n, offsets 1..=n.
        let connectivity: Vec<i64> = (0..n as i64).collect();
        let offsets: Vec<i64> = (1..=n as i64).collect();
        write_array(
            &mut out,
            "connectivity",
            &Values::I64(connectivity.into()),
            1,
            "        ",
        );
        write_array(
            &mut out,
            "offsets",
            &Values::I64(offsets.into()),
            1,
            "        ",
        );
        out.push_str("      </Verts>\n    </Piece>\n  </PolyData>\n</VTKFile>\n");
        out
    }
}

/// The `.pvd` text listing `entries` as one time series (part 0 of each time step).
pub fn collection_xml(entries: &[CollectionEntry]) -> String {
    multipart_collection_xml(entries, 1)
}

/// The `.pvd` text listing `entries` in groups of `parts`: each group is one time step's parts
/// 0, 1, ..., which ParaView loads together as one multiblock data set.
pub fn multipart_collection_xml(entries: &[CollectionEntry], parts: usize) -> String {
    let mut out = format!(
        "{HEADER}<VTKFile type=\"Collection\" version=\"1.0\" byte_order=\"LittleEndian\">\n  <Collection>\n"
    );
    for (i, e) in entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <DataSet timestep=\"{}\" group=\"\" part=\"{}\" file=\"{}\"/>",
            e.time_days,
            i % parts.max(1),
            escape(&e.file)
        );
    }
    out.push_str("  </Collection>\n</VTKFile>\n");
    out
}

/// One tag of an XML text: `<name attr="v" ...>`, `</name>` or `<name .../>`, and the text up
/// to the next tag.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    attrs: Vec<(&'a str, &'a str)>,
    text: &'a str,
}

impl<'a> Tag<'a> {
    fn attr(&self, key: &str) -> Option<&'a str> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// The tags of `xml`, or why it is not XML as this module writes it.
fn tags(xml: &str) -> Result<Vec<Tag<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').ok_or("a tag is not closed with '>'")?;
        let inner = after[..end].trim_end_matches('/').trim();
        rest = &after[end + 1..];
        if inner.starts_with('?') || inner.starts_with('!') {
            continue;
        }
        let text = &rest[..rest.find('<').unwrap_or(rest.len())];
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, inner),
        };
        let (name, mut attrs_text) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let mut attrs = Vec::new();
        loop {
            attrs_text = attrs_text.trim_start();
            if attrs_text.is_empty() {
                break;
            }
            let (key, value_text) = attrs_text
                .split_once("=\"")
                .ok_or_else(|| format!("malformed attribute in <{name}>"))?;
            let (value, after_value) = value_text
                .split_once('"')
                .ok_or_else(|| format!("unterminated attribute {key} in <{name}>"))?;
            attrs.push((key.trim(), value));
            attrs_text = after_value;
        }
        out.push(Tag {
            name,
            closing,
            attrs,
            text,
        });
    }
    Ok(out)
}

/// Decodes one inline binary `<DataArray>`.
fn decode_array(tag: &Tag) -> Result<DataArray<'static>, String> {
    let name = unescape(tag.attr("Name").ok_or("a DataArray has no Name")?).into_owned();
    if tag.attr("format") != Some("binary") {
        return Err(format!("array {name} is not in the inline binary format"));
    }
    let vtk_type = tag.attr("type").unwrap_or("");
    let bytes = STANDARD
        .decode(tag.text.trim())
        .map_err(|e| format!("array {name}: bad base64 ({e})"))?;
    let (count, data) = bytes
        .split_first_chunk::<8>()
        .ok_or_else(|| format!("array {name}: no byte count"))?;
    if u64::from_le_bytes(*count) != data.len() as u64 {
        return Err(format!(
            "array {name}: header says {} bytes, {} follow",
            u64::from_le_bytes(*count),
            data.len()
        ));
    }
    let values = Values::from_le_bytes(vtk_type, data)
        .ok_or_else(|| format!("array {name}: type {vtk_type} with {} bytes", data.len()))?;
    Ok(DataArray {
        name: name.into(),
        values,
    })
}

fn numbers<const N: usize>(text: Option<&str>, what: &str) -> Result<[f64; N], String> {
    let parsed: Vec<f64> = text
        .ok_or_else(|| format!("no {what}"))?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{what} is not numbers"))?;
    parsed
        .try_into()
        .map_err(|_| format!("{what} does not have {N} numbers"))
}

fn read_text(path: &Path) -> Result<String, OutputError> {
    std::fs::read_to_string(path).map_err(|source| OutputError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn format_err(path: &Path) -> impl FnOnce(String) -> OutputError + '_ {
    move |reason| OutputError::Format {
        path: path.to_path_buf(),
        reason,
    }
}

/// The `<VTKFile>` type and the arrays of `section` (a tag name) of an XML text.
fn arrays_in(
    tags: &[Tag],
    file_type: &str,
    section: &str,
) -> Result<Vec<DataArray<'static>>, String> {
    let root = tags.iter().find(|t| t.name == "VTKFile" && !t.closing);
    if root.and_then(|t| t.attr("type")) != Some(file_type) {
        return Err(format!("not a VTK {file_type} file"));
    }
    if root.and_then(|t| t.attr("header_type")) != Some("UInt64") {
        return Err("arrays are not preceded by UInt64 byte counts".into());
    }
    let mut inside = false;
    let mut arrays = Vec::new();
    for tag in tags {
        if tag.name == section {
            inside = !tag.closing;
        } else if inside && tag.name == "DataArray" && !tag.closing {
            arrays.push(decode_array(tag)?);
        }
    }
    Ok(arrays)
}

/// Reads a `.vti` written by [`ImageData::to_xml`].
pub fn read_image_data(path: &Path) -> Result<ImageData<'static>, OutputError> {
    let text = read_text(path)?;
    let parse = || -> Result<ImageData<'static>, String> {
        let tags = tags(&text)?;
        let arrays = arrays_in(&tags, "ImageData", "CellData")?;
        let image = tags
            .iter()
            .find(|t| t.name == "ImageData" && !t.closing)
            .ok_or("no <ImageData>")?;
        let extent: [f64; 6] = numbers(image.attr("WholeExtent"), "WholeExtent")?;
        let voxels = [0, 1, 2].map(|a| (extent[2 * a + 1] - extent[2 * a]).max(0.0) as usize);
        let spacing_um: [f64; 3] = numbers(image.attr("Spacing"), "Spacing")?;
        if let Some(bad) = spacing_um.iter().find(|h| !(h.is_finite() && **h > 0.0)) {
            return Err(format!(
                "Spacing holds {bad}; a voxel's edge must be a length > 0"
            ));
        }
        let image = ImageData {
            voxels,
            origin_um: numbers(image.attr("Origin"), "Origin")?,
            spacing_um,
            arrays,
        };
        let n: usize = voxels.iter().product();
        check_lengths(&image.arrays, n)
            .map_err(|(name, len)| format!("array {name} has {len} values for {n} voxels"))?;
        Ok(image)
    };
    parse().map_err(format_err(path))
}

/// Reads a `.vtp` written by [`PolyData::to_xml`].
pub fn read_poly_data(path: &Path) -> Result<PolyData<'static>, OutputError> {
    let text = read_text(path)?;
    let parse = || -> Result<PolyData<'static>, String> {
        let tags = tags(&text)?;
        let arrays = arrays_in(&tags, "PolyData", "PointData")?;
        let points = match arrays_in(&tags, "PolyData", "Points")?.pop() {
            Some(DataArray {
                values: Values::F32(flat),
                ..
            }) if flat.len() % 3 == 0 => flat
                .chunks_exact(3)
                .map(|p| [p[0], p[1], p[2]])
                .collect::<Vec<_>>(),
            _ => return Err("no Float32 point positions".into()),
        };
        let n = points.len();
        check_lengths(&arrays, n)
            .map_err(|(name, len)| format!("array {name} has {len} values for {n} points"))?;
        Ok(PolyData {
            points: points.into(),
            arrays,
        })
    };
    parse().map_err(format_err(path))
}

/// Reads a `.pvd` written by [`collection_xml`]: its entries with their files' full paths.
pub fn read_collection(path: &Path) -> Result<Vec<(f64, PathBuf)>, OutputError> {
    let text = read_text(path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let parse = || -> Result<Vec<(f64, PathBuf)>, String> {
        let tags = tags(&text)?;
        if !tags
            .iter()
            .any(|t| t.name == "VTKFile" && t.attr("type") == Some("Collection"))
        {
            return Err("not a VTK Collection file".into());
        }
        tags.iter()
            .filter(|t| t.name == "DataSet")
            .map(|t| {
                let time = t
                    .attr("timestep")
                    .and_then(|s| s.parse().ok())
                    .ok_or("a DataSet has no numeric timestep")?;
                let file = t.attr("file").ok_or("a DataSet has no file")?;
                Ok((time, dir.join(&*unescape(file))))
            })
            .collect()
    };
    parse().map_err(format_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> ImageData<'static> {
        ImageData {
            voxels: [3, 2, 2],
            origin_um: [0.0, 0.0, 0.0],
            spacing_um: [20.0, 20.0, 20.0],
            arrays: vec![
                DataArray {
                    name: "tnf".into(),
                    values: Values::F32((0..12).map(|i| i as f32 * 0.5).collect()),
                },
                DataArray {
                    name: "a<b>&\"c\"".into(),
                    values: Values::F32(vec![f32::MAX; 12].into()),
                },
            ],
        }
    }

    #[test]
    fn image_data_declares_extent_origin_spacing_and_cell_data() {
        let xml = grid().to_xml();
        assert!(xml.starts_with("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\""));
        assert!(xml.contains("byte_order=\"LittleEndian\" header_type=\"UInt64\""));
        // The extent counts points: 3 voxels span points 0..=3.
        assert!(xml.contains("WholeExtent=\"0 3 0 2 0 2\" Origin=\"0 0 0\" Spacing=\"20 20 20\""));
        assert!(xml.contains("<Piece Extent=\"0 3 0 2 0 2\">"));
        assert!(xml.contains("<CellData Scalars=\"tnf\">"));
        assert!(xml.contains("Name=\"a&lt;b&gt;&amp;&quot;c&quot;\""));
    }

    #[test]
    fn binary_block_is_base64_of_a_uint64_byte_count_then_little_endian_values() {
        let mut out = String::new();
        write_array(&mut out, "x", &Values::F32(vec![1.0, -2.0].into()), 1, "");
        let text = out
            .split_once('>')
            .and_then(|(_, rest)| rest.split_once('<'))
            .unwrap()
            .0;
        let bytes = STANDARD.decode(text).unwrap();
        let mut expected = 8u64.to_le_bytes().to_vec();
        expected.extend(1.0f32.to_le_bytes());
        expected.extend((-2.0f32).to_le_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn image_data_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.vti");
        std::fs::write(&path, grid().to_xml()).unwrap();
        assert_eq!(read_image_data(&path).unwrap(), grid());
    }

    #[test]
    fn poly_data_reads_back_equal_with_one_vertex_per_point() {
        let cells = PolyData {
            points: vec![[1.0, 2.0, 3.0], [4.5, 5.0, 6.0]].into(),
            arrays: vec![
                DataArray {
                    name: "id".into(),
                    values: Values::U64(vec![7, u64::MAX].into()),
                },
                DataArray {
                    name: "state".into(),
                    values: Values::U8(vec![0, 8].into()),
                },
                DataArray {
                    name: "damage".into(),
                    values: Values::F32(vec![0.25, f32::NAN].into()),
                },
            ],
        };
        let xml = cells.to_xml();
        assert!(xml.contains("NumberOfPoints=\"2\" NumberOfVerts=\"2\""));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.vtp");
        std::fs::write(&path, &xml).unwrap();
        let back = read_poly_data(&path).unwrap();
        assert_eq!(back.points, cells.points);
        assert_eq!(back.arrays[..2], cells.arrays[..2]);
        let Values::F32(damage) = &back.arrays[2].values else {
            panic!("damage is not Float32");
        };
        assert_eq!(damage[0], 0.25);
        assert!(damage[1].is_nan());
        let tags = tags(&xml).unwrap();
        let verts: Vec<_> = tags
            .iter()
            .filter(|t| t.name == "DataArray" && !t.closing)
            .skip(4)
            .map(|t| decode_array(t).unwrap().values)
            .collect();
        assert_eq!(
            verts,
            [
                Values::I64(vec![0, 1].into()),
                Values::I64(vec![1, 2].into())
            ]
        );
    }

    #[test]
    fn collection_lists_files_by_time_relative_to_itself() {
        let entries = [
            CollectionEntry {
                time_days: 0.0,
                file: "fields_0000.vti".into(),
            },
            CollectionEntry {
                time_days: 2.5,
                file: "fields_0001.vti".into(),
            },
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fields.pvd");
        std::fs::write(&path, collection_xml(&entries)).unwrap();
        assert_eq!(
            read_collection(&path).unwrap(),
            [
                (0.0, dir.path().join("fields_0000.vti")),
                (2.5, dir.path().join("fields_0001.vti"))
            ]
        );
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.vti");
        let xml = grid().to_xml();
        // Cut inside the first array: its byte count no longer matches.
        let cut = xml.find("format=\"binary\">").unwrap() + 40;
        std::fs::write(&path, format!("{}</DataArray>", &xml[..cut])).unwrap();
        let err = read_image_data(&path).unwrap_err().to_string();
        assert!(err.contains("f.vti") && err.contains("tnf"), "{err}");
        std::fs::write(&path, "not xml").unwrap();
        let err = read_image_data(&path).unwrap_err().to_string();
        assert!(err.contains("not a VTK ImageData file"), "{err}");
        let err = read_poly_data(&dir.path().join("missing.vtp"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.vtp: cannot read"), "{err}");
        // A corrupt spacing is the file's fault, named as such.
        std::fs::write(
            &path,
            xml.replace("Spacing=\"20 20 20\"", "Spacing=\"0 20 20\""),
        )
        .unwrap();
        let err = read_image_data(&path).unwrap_err().to_string();
        assert!(
            err.contains("f.vti") && err.contains("Spacing holds 0"),
            "{err}"
        );
    }
}
