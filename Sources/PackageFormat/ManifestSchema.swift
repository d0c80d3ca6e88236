public import Foundation

/// The JSON Schema of `manifest.json` (format versions 1 to 3). The same text is committed as
/// `docs/manifest.schema.json` (a test keeps the two identical); `ptq verify` checks every manifest
/// against it with ``JSONSchemaValidator``.
public enum ManifestSchema {
    /// The schema document.
    public static let text = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://ptqkit.example/manifest.schema.json",
          "title": "PTQKit model package manifest (format versions 1 to 3)",
          "type": "object",
          "required": ["format", "format_version", "ptqkit_version", "inputs", "config", "tensors_file", "summary_file", "layers"],
          "additionalProperties": false,
          "properties": {
            "format": {"enum": ["ptqkit-model-package"]},
            "format_version": {"type": "integer", "minimum": 1, "maximum": 3},
            "ptqkit_version": {"type": "string", "minLength": 1},
            "inputs": {"type": "array", "items": {"$ref": "#/$defs/input"}},
            "config": {"type": "object"},
            "tensors_file": {"type": "string", "minLength": 1},
            "summary_file": {"type": "string", "minLength": 1},
            "tensors_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "tensors_xxh3_128": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "skeleton_file": {"type": "string", "minLength": 1},
            "skeleton_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "skeleton_xxh3_128": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}},
            "layout": {"$ref": "#/$defs/layout"}
          },
          "$defs": {
            "input": {
              "type": "object",
              "required": ["role", "path", "size"],
              "additionalProperties": false,
              "properties": {
                "role": {"enum": ["weights", "activations", "config", "statistics"]},
                "path": {"type": "string", "minLength": 1},
                "size": {"type": "integer", "minimum": 0},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "xxh3_128": {"type": "string", "pattern": "^[0-9a-f]{32}$"}
              }
            },
            "layer": {
              "type": "object",
              "required": ["name", "tensors"],
              "additionalProperties": false,
              "properties": {
                "name": {"type": "string", "minLength": 1},
                "tensors": {"type": "array", "items": {"$ref": "#/$defs/tensor"}},
                "activation": {"$ref": "#/$defs/activation"},
                "policy": {"type": "object"},
                "layer_class": {"type": "string", "minLength": 1}
              }
            },
            "layout": {
              "type": "object",
              "required": ["name", "reason"],
              "additionalProperties": false,
              "properties": {
                "name": {"enum": ["keras", "keras-legacy", "torch", "generic"]},
                "reason": {"type": "string"}
              }
            },
            "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
            "tensor": {
              "type": "object",
              "required": ["dataset", "role", "original_shape", "original_dtype", "encoding", "stored_dtype", "stored_shape"],
              "additionalProperties": false,
              "properties": {
                "dataset": {"type": "string", "pattern": "^/"},
                "role": {"type": "string", "minLength": 1},
                "original_shape": {"$ref": "#/$defs/shape"},
                "original_dtype": {"type": "string", "minLength": 1},
                "encoding": {"enum": ["affine", "minifloat", "block_scaled", "float32"]},
                "stored_dtype": {"enum": ["int8", "uint8", "int16", "uint16", "int32", "float32"]},
                "stored_shape": {"$ref": "#/$defs/shape"},
                "packed_bits": {"enum": [1, 2, 4]},
                "quantization": {"$ref": "#/$defs/quantization"},
                "metrics": {"$ref": "#/$defs/metrics"},
                "note": {"type": "string"},
                "nan_count": {"type": "integer", "minimum": 1},
                "inf_count": {"type": "integer", "minimum": 1},
                "layout_role": {"enum": ["kernel", "bias", "norm_scale", "norm_shift", "embedding", "other"]},
                "source_name": {"type": "string", "minLength": 1}
              }
            },
            "quantization": {
              "type": "object",
              "required": ["format", "bits", "signed", "narrow_range", "qmin", "qmax", "scheme", "granularity", "profile",
                           "rounding", "scale_dataset", "parameter_shape"],
              "additionalProperties": false,
              "properties": {
                "format": {"type": "string", "minLength": 1},
                "bits": {"type": "integer", "minimum": 2, "maximum": 32},
                "signed": {"type": "boolean"},
                "narrow_range": {"type": "boolean"},
                "qmin": {"type": "integer", "minimum": -2147483648, "maximum": 65535},
                "qmax": {"type": "integer", "minimum": -32768, "maximum": 2147483647},
                "scheme": {"enum": ["symmetric", "asymmetric"]},
                "scheme_reason": {"type": "string"},
                "symmetric_error": {"type": "number", "minimum": 0},
                "asymmetric_error": {"type": "number", "minimum": 0},
                "granularity": {"enum": ["per-tensor", "per-channel", "per-group"]},
                "axis": {"type": "integer", "minimum": 0},
                "group_size": {"type": "integer", "minimum": 1},
                "profile": {"type": "string", "minLength": 1},
                "rounding": {"enum": ["half-even", "half-away"]},
                "scale_dataset": {"type": "string", "pattern": "^/.*\\.scale$"},
                "zero_point_dataset": {"type": "string", "pattern": "^/.*\\.zero_point$"},
                "decode_table_dataset": {"type": "string", "pattern": "^/.*\\.decode_table$"},
                "parameter_shape": {"$ref": "#/$defs/shape"},
                "scale_format": {"enum": ["e8m0", "fp8_e4m3fn"]},
                "element_format": {"type": "string", "minLength": 1},
                "scale_decode_table_dataset": {"type": "string", "pattern": "^/.*\\.scale_decode_table$"},
                "global_scale_dataset": {"type": "string", "pattern": "^/.*\\.global_scale$"},
                "fraction_bits": {"type": "integer", "minimum": -64, "maximum": 64},
                "fraction_digits": {"type": "integer", "minimum": 1, "maximum": 9},
                "method": {
                  "type": "object",
                  "required": ["name"],
                  "additionalProperties": false,
                  "properties": {
                    "name": {"enum": ["rtn", "gptq", "importance-clip", "awq", "smoothquant"]},
                    "damping": {"type": "number", "minimum": 0, "maximum": 1},
                    "block_size": {"type": "integer", "minimum": 1},
                    "act_order": {"type": "boolean"},
                    "alpha": {"type": "number", "minimum": 0, "maximum": 1},
                    "alpha_grid": {"type": "integer", "minimum": 1},
                    "input_scale_dataset": {"type": "string", "pattern": "^/.*\\.input_scale$"},
                    "input_axis": {"type": "integer", "minimum": 0, "maximum": 1}
                  }
                }
              }
            },
            "metrics": {
              "type": "object",
              "required": ["mse", "max_abs_error"],
              "additionalProperties": false,
              "properties": {
                "sqnr_decibels": {"type": "number"},
                "mse": {"type": "number", "minimum": 0},
                "max_abs_error": {"type": "number", "minimum": 0}
              }
            },
            "activation": {
              "type": "object",
              "required": ["datasets", "observer", "observer_options", "element_count", "nan_count", "inf_count", "range_min",
                           "range_max", "clipping_fraction", "format", "bits", "signed", "narrow_range", "qmin", "qmax", "scheme",
                           "profile", "rounding"],
              "additionalProperties": false,
              "properties": {
                "datasets": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "observer": {"type": "string", "minLength": 1},
                "observer_options": {"type": "object"},
                "element_count": {"type": "integer", "minimum": 0},
                "nan_count": {"type": "integer", "minimum": 0},
                "inf_count": {"type": "integer", "minimum": 0},
                "observed_min": {"type": "number"},
                "observed_max": {"type": "number"},
                "range_min": {"type": "number"},
                "range_max": {"type": "number"},
                "clipping_fraction": {"type": "number", "minimum": 0, "maximum": 1},
                "format": {"type": "string", "minLength": 1},
                "bits": {"type": "integer", "minimum": 2, "maximum": 16},
                "signed": {"type": "boolean"},
                "narrow_range": {"type": "boolean"},
                "qmin": {"type": "integer", "minimum": -32768, "maximum": 65535},
                "qmax": {"type": "integer", "minimum": -32768, "maximum": 65535},
                "scheme": {"enum": ["symmetric", "asymmetric"]},
                "scheme_reason": {"type": "string"},
                "symmetric_error": {"type": "number", "minimum": 0},
                "asymmetric_error": {"type": "number", "minimum": 0},
                "profile": {"type": "string", "minLength": 1},
                "rounding": {"enum": ["half-even", "half-away"]},
                "scale": {"type": "number", "exclusiveMinimum": 0},
                "zero_point": {"type": "integer", "minimum": -32768, "maximum": 65535},
                "granularity": {"enum": ["per-channel"]},
                "axis": {"type": "integer", "minimum": 1},
                "zero_point_sharing": {"enum": ["per-channel", "shared"]},
                "channel_range_min": {"type": "array", "items": {"type": "number"}},
                "channel_range_max": {"type": "array", "items": {"type": "number"}},
                "scales": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}},
                "zero_points": {"type": "array", "items": {"type": "integer", "minimum": -32768, "maximum": 65535}},
                "histogram": {
                  "type": "object",
                  "required": ["lower_edge", "bin_width", "counts"],
                  "additionalProperties": false,
                  "properties": {
                    "lower_edge": {"type": "number"},
                    "bin_width": {"type": "number", "exclusiveMinimum": 0},
                    "counts": {"type": "array", "items": {"type": "integer", "minimum": 0}}
                  }
                },
                "input_moments": {"$ref": "#/$defs/input_moments"},
                "smoothing": {
                  "type": "object",
                  "required": ["method", "alpha", "input_scale_dataset", "range_min", "range_max", "scale",
                               "zero_point"],
                  "additionalProperties": false,
                  "properties": {
                    "method": {"enum": ["smoothquant"]},
                    "alpha": {"type": "number", "minimum": 0, "maximum": 1},
                    "alpha_grid": {"type": "integer", "minimum": 1},
                    "input_scale_dataset": {"type": "string", "pattern": "^/.*\\.input_scale$"},
                    "range_min": {"type": "number"},
                    "range_max": {"type": "number"},
                    "scale": {"type": "number", "exclusiveMinimum": 0},
                    "zero_point": {"type": "integer", "minimum": -32768, "maximum": 65535}
                  }
                }
              }
            },
            "input_moments": {
              "type": "object",
              "required": ["features", "count", "axis", "sum_dataset", "sum_of_squares_dataset"],
              "additionalProperties": false,
              "properties": {
                "features": {"type": "integer", "minimum": 1},
                "count": {"type": "integer", "minimum": 0},
                "axis": {"type": "integer", "minimum": 0},
                "sum_dataset": {"type": "string", "pattern": "^/input_moments/.*/sum$"},
                "sum_of_squares_dataset": {"type": "string", "pattern": "^/input_moments/.*/sum_of_squares$"}
              }
            }
          }
        }

        """#

    /// A validator for the schema.
    public static var validator: JSONSchemaValidator {
        // The schema is a compile-time constant checked by the tests; it always parses.
        (try? JSONSchemaValidator(schemaJSON: Data(text.utf8))) ?? JSONSchemaValidator(schema: .bool(false))
    }

    /// Every violation of the schema by the manifest text `data`.
    public static func violations(ofJSON data: Data) -> [JSONSchemaValidator.Violation] {
        validator.violations(ofJSON: data)
    }
}
