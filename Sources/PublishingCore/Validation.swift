import Foundation

/// Checks a probed file and a post's texts against a platform's declared limits.
public enum Validation {
    /// Every way `media` breaks `limits`.
    public static func check(_ media: MediaInfo, against limits: MediaLimits, platform: PlatformID) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func add(_ field: String, _ message: String) { issues.append(ValidationIssue(platform: platform, field: field, message: message)) }
        if let max = limits.maxFileSize, media.sizeBytes > max {
            add("size", "\(ByteFormat.string(media.sizeBytes)) is over the \(ByteFormat.string(max)) limit")
        }
        if let min = limits.minDuration, media.duration < min {
            add("duration", "\(format(media.duration)) s is shorter than the \(format(min)) s minimum")
        }
        if let max = limits.maxDuration, media.duration > max {
            add("duration", "\(format(media.duration)) s is longer than the \(format(max)) s maximum")
        }
        if let min = limits.minWidth, media.width < min { add("width", "\(media.width) px is below the \(min) px minimum") }
        if let max = limits.maxWidth, media.width > max { add("width", "\(media.width) px is above the \(max) px maximum") }
        if let min = limits.minHeight, media.height < min { add("height", "\(media.height) px is below the \(min) px minimum") }
        if let max = limits.maxHeight, media.height > max { add("height", "\(media.height) px is above the \(max) px maximum") }
        let ratio = media.aspectRatio
        if let min = limits.minAspectRatio, ratio < min - 0.005 {
            add("aspect", "aspect ratio \(format(ratio)) (\(media.width)×\(media.height)) is below the \(format(min)) minimum")
        }
        if let max = limits.maxAspectRatio, ratio > max + 0.005 {
            add("aspect", "aspect ratio \(format(ratio)) (\(media.width)×\(media.height)) is above the \(format(max)) maximum")
        }
        if let fps = media.frameRate {
            if let min = limits.minFrameRate, fps < min - 0.05 { add("frameRate", "\(format(fps)) fps is below the \(format(min)) fps minimum") }
            if let max = limits.maxFrameRate, fps > max + 0.05 { add("frameRate", "\(format(fps)) fps is above the \(format(max)) fps maximum") }
        }
        if let codecs = limits.videoCodecs {
            if let codec = media.videoCodec {
                if !codecs.contains(codec) { add("videoCodec", "\(codec) is not accepted (accepted: \(codecs.sorted().joined(separator: ", ")))") }
            } else {
                add("videoCodec", "the file has no video track")
            }
        }
        if let codecs = limits.audioCodecs, let codec = media.audioCodec, !codecs.contains(codec) {
            add("audioCodec", "\(codec) is not accepted (accepted: \(codecs.sorted().joined(separator: ", ")))")
        }
        if let containers = limits.containers, !containers.contains(media.container) {
            add("container", "\(media.container) is not accepted (accepted: \(containers.sorted().joined(separator: ", ")))")
        }
        return issues
    }

    /// Every way the effective `texts` break `limits`. Explicit values are never truncated.
    public static func check(_ texts: [TextField: String], against limits: [TextField: TextLimit], platform: PlatformID) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (field, limit) in limits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let text = texts[field] ?? ""
            func add(_ message: String) { issues.append(ValidationIssue(platform: platform, field: field.rawValue, message: message)) }
            if limit.required, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                add("is required")
                continue
            }
            let length = limit.unit.length(of: text)
            if length > limit.maxLength { add("\(length) \(limit.unit.noun) is over the \(limit.maxLength) limit") }
            if let max = limit.maxHashtags {
                let count = hashtags(in: text).count
                if count > max { add("\(count) hashtags is over the \(max) limit") }
            }
            if let max = limit.maxMentions {
                let count = mentions(in: text).count
                if count > max { add("\(count) @mentions is over the \(max) limit") }
            }
            // NUL and other control characters (line breaks and tabs aside) are never meant: a pasted escape
            // sequence, a truncating NUL. Refused for every platform before any upload.
            let controls = Set(text.unicodeScalars.filter { scalar in
                scalar != "\n" && scalar != "\r" && scalar != "\t" && Redaction.isControl(scalar) && scalar.value < 0x202A
            })
            if !controls.isEmpty {
                let names = controls.sorted { $0.value < $1.value }.map { String(format: "U+%04X", $0.value) }
                add("contains control characters (\(names.joined(separator: " "))); remove them")
            }
            let forbidden = text.filter { limit.forbiddenCharacters.contains($0) }
            if !forbidden.isEmpty {
                add("contains characters the platform refuses: \(Set(forbidden).sorted().map { "'\($0)'" }.joined(separator: " "))")
            }
        }
        return issues
    }

    /// The `#hashtags` in a text.
    public static func hashtags(in text: String) -> [String] { tokens(in: text, prefix: "#") }
    /// The `@mentions` in a text.
    public static func mentions(in text: String) -> [String] { tokens(in: text, prefix: "@") }

    private static func tokens(in text: String, prefix: Character) -> [String] {
        var result: [String] = []
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c == prefix, !(previous.isLetter || previous.isNumber || previous == "_") {
                var end = text.index(after: index)
                while end < text.endIndex, text[end].isLetter || text[end].isNumber || text[end] == "_" || text[end] == "." {
                    end = text.index(after: end)
                }
                let word = text[text.index(after: index)..<end]
                if !word.isEmpty { result.append(String(word)) }
                index = end
                previous = "x"
                continue
            }
            previous = c
            index = text.index(after: index)
        }
        return result
    }

    /// Shortens a derived text at a word boundary with "…" to fit `limit` (never used on explicit values).
    public static func shorten(_ text: String, toFit limit: Int, unit: TextUnit) -> String {
        guard unit.length(of: text) > limit else { return text }
        var result = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = result.isEmpty ? String(word) : result + " " + word
            if unit.length(of: candidate + "…") > limit { break }
            result = candidate
        }
        if result.isEmpty {
            for c in text {
                if unit.length(of: result + String(c) + "…") > limit { break }
                result.append(c)
            }
        }
        return result.trimmingCharacters(in: .whitespaces) + "…"
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.2f", value)
    }
}

/// Human byte counts.
public enum ByteFormat {
    /// `1.5 GiB`, `300 MB`-style strings (binary units).
    public static func string(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: value >= 100 ? "%.0f" : "%.1f", value) + " " + units[unit]
    }
}
