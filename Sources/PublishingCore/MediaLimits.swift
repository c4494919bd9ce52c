import Foundation

/// What the probe learned about a video file.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// The container: `mp4` or `mov` (from the `ftyp` brand).
    public var container: String
    /// The major brand from `ftyp`.
    public var brand: String
    /// File size in bytes.
    public var sizeBytes: Int64
    /// Duration in seconds.
    public var duration: Double
    /// Display width in pixels (after rotation).
    public var width: Int
    /// Display height in pixels (after rotation).
    public var height: Int
    /// Rotation from the track matrix: 0, 90, 180 or 270.
    public var rotation: Int
    /// Frames per second, if the video track says.
    public var frameRate: Double?
    /// Video codec: `h264`, `hevc`, `vp9`, `av1`, `mpeg4`, or the sample-entry fourcc.
    public var videoCodec: String?
    /// Audio codec: `aac`, `mp3`, `opus`, `ac3`, `eac3`, `alac`, `pcm`, or the fourcc; `nil` when silent.
    public var audioCodec: String?
    /// Audio sample rate in Hz.
    public var audioSampleRate: Int?
    /// Whether `moov` comes before `mdat` (fast start).
    public var moovAtStart: Bool
    /// Whether any track has an edit list.
    public var hasEditList: Bool

    public init(
        container: String, brand: String, sizeBytes: Int64, duration: Double, width: Int, height: Int, rotation: Int,
        frameRate: Double?, videoCodec: String?, audioCodec: String?, audioSampleRate: Int?, moovAtStart: Bool,
        hasEditList: Bool
    ) {
        self.container = container
        self.brand = brand
        self.sizeBytes = sizeBytes
        self.duration = duration
        self.width = width
        self.height = height
        self.rotation = rotation
        self.frameRate = frameRate
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.audioSampleRate = audioSampleRate
        self.moovAtStart = moovAtStart
        self.hasEditList = hasEditList
    }

    /// Width over height.
    public var aspectRatio: Double { height > 0 ? Double(width) / Double(height) : 0 }
    /// Taller than wide.
    public var isVertical: Bool { height > width }
    /// The MIME type for uploads.
    public var mimeType: String { container == "mov" ? "video/quicktime" : "video/mp4" }
}

/// A platform's documented limits on the file, as data. `nil` means "no limit documented".
public struct MediaLimits: Sendable {
    public var maxFileSize: Int64?
    public var minDuration: Double?
    public var maxDuration: Double?
    public var minWidth: Int?
    public var maxWidth: Int?
    public var minHeight: Int?
    public var maxHeight: Int?
    /// Width/height bounds.
    public var minAspectRatio: Double?
    public var maxAspectRatio: Double?
    public var minFrameRate: Double?
    public var maxFrameRate: Double?
    /// Accepted video codecs (probe names); `nil` accepts any.
    public var videoCodecs: Set<String>?
    /// Accepted audio codecs; `nil` accepts any (a silent video always passes).
    public var audioCodecs: Set<String>?
    /// Accepted containers (`mp4`, `mov`); `nil` accepts any.
    public var containers: Set<String>?

    public init(
        maxFileSize: Int64? = nil, minDuration: Double? = nil, maxDuration: Double? = nil,
        minWidth: Int? = nil, maxWidth: Int? = nil, minHeight: Int? = nil, maxHeight: Int? = nil,
        minAspectRatio: Double? = nil, maxAspectRatio: Double? = nil,
        minFrameRate: Double? = nil, maxFrameRate: Double? = nil,
        videoCodecs: Set<String>? = nil, audioCodecs: Set<String>? = nil, containers: Set<String>? = nil
    ) {
        self.maxFileSize = maxFileSize
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.minWidth = minWidth
        self.maxWidth = maxWidth
        self.minHeight = minHeight
        self.maxHeight = maxHeight
        self.minAspectRatio = minAspectRatio
        self.maxAspectRatio = maxAspectRatio
        self.minFrameRate = minFrameRate
        self.maxFrameRate = maxFrameRate
        self.videoCodecs = videoCodecs
        self.audioCodecs = audioCodecs
        self.containers = containers
    }
}

/// A text a platform takes.
public struct TextField: NamedValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let caption = TextField("caption")
    public static let title = TextField("title")
    public static let description = TextField("description")
    public static let tags = TextField("tags")
}

/// How a platform counts a text's length.
public enum TextUnit: String, Sendable {
    /// Unicode extended grapheme clusters ("characters").
    case characters
    /// UTF-16 code units (TikTok).
    case utf16
    /// UTF-8 bytes (YouTube description).
    case utf8Bytes

    /// The length of `text` in this unit.
    public func length(of text: String) -> Int {
        switch self {
        case .characters: text.count
        case .utf16: text.utf16.count
        case .utf8Bytes: text.utf8.count
        }
    }

    var noun: String {
        switch self {
        case .characters: "characters"
        case .utf16: "UTF-16 units"
        case .utf8Bytes: "bytes"
        }
    }
}

/// A platform's documented limit on one text.
public struct TextLimit: Sendable {
    public var maxLength: Int
    public var unit: TextUnit
    public var maxHashtags: Int?
    public var maxMentions: Int?
    /// Characters the platform refuses (YouTube: `<` and `>`).
    public var forbiddenCharacters: Set<Character>
    /// Whether the text must not be empty.
    public var required: Bool

    public init(maxLength: Int, unit: TextUnit = .characters, maxHashtags: Int? = nil, maxMentions: Int? = nil,
                forbiddenCharacters: Set<Character> = [], required: Bool = false) {
        self.maxLength = maxLength
        self.unit = unit
        self.maxHashtags = maxHashtags
        self.maxMentions = maxMentions
        self.forbiddenCharacters = forbiddenCharacters
        self.required = required
    }
}

/// One reason a post cannot go to a platform.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The platform, if the issue is platform-specific.
    public var platform: PlatformID?
    /// Which field or property: `duration`, `caption`, `options.privacy`…
    public var field: String
    /// What is wrong, with the limit and the actual value.
    public var message: String

    public init(platform: PlatformID? = nil, field: String, message: String) {
        self.platform = platform
        self.field = field
        self.message = message
    }

    public var description: String {
        (platform.map { "\($0): " } ?? "") + "\(field): \(message)"
    }
}
