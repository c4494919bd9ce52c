import Foundation

/// The cover the user asked for (`--cover image.jpg`, `--cover-at 1.5`, or the manifest's `cover` / `cover_at`):
/// a local image, a frame of the video, or both. Each platform takes what its API can (``CoverSupport``).
public struct CoverChoice: Sendable, Codable, Equatable {
    /// A local JPEG or PNG file.
    public var imagePath: String?
    /// Seconds into the video.
    public var frameAt: Double?

    public init(imagePath: String? = nil, frameAt: Double? = nil) {
        self.imagePath = imagePath
        self.frameAt = frameAt
    }

    /// Whether nothing was asked.
    public var isEmpty: Bool { imagePath == nil && frameAt == nil }
}

/// What one platform gets as its cover.
public enum CoverUse: Sendable, Equatable {
    /// The image file.
    case image(CoverImage)
    /// The video's frame at this many seconds.
    case frame(seconds: Double)

    /// `the image cover.jpg` / `the frame at 1.5 s`.
    public var detail: String {
        switch self {
        case .image(let image): "the image \((image.path as NSString).lastPathComponent)"
        case .frame(let seconds): "the frame at \(CoverUse.seconds(seconds)) s"
        }
    }

    /// The frame's offset in whole milliseconds.
    public static func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
    }
}

/// A platform's documented limits for a cover image.
public struct CoverImageLimits: Sendable, Equatable {
    /// Accepted formats.
    public var formats: [ImageFormat]
    /// Largest file.
    public var maxBytes: Int64
    /// Smallest accepted width and height, where documented.
    public var minWidth: Int?
    public var minHeight: Int?

    public init(formats: [ImageFormat], maxBytes: Int64, minWidth: Int? = nil, minHeight: Int? = nil) {
        self.formats = formats
        self.maxBytes = maxBytes
        self.minWidth = minWidth
        self.minHeight = minHeight
    }
}

/// How a platform takes a cover, declared as data by its adapter.
public struct CoverSupport: Sendable, Equatable {
    /// How an image cover reaches the platform.
    public struct Delivery: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// Sent with the post by the adapter itself.
        public static let withPost = Delivery("sent with the post")
        /// Fetched by the platform from a staged URL (``PublishContext/stagedCoverURL``).
        public static let stagedURL = Delivery("fetched by the platform from a staged URL")
        /// Uploaded after the video exists (``Publisher/applyCover(_:postID:context:)``); retried by `atom status`.
        public static let afterPublish = Delivery("uploaded once the video is up")
        public var description: String { name }
    }

    /// The image limits, or `nil` when the API takes no cover image.
    public var image: CoverImageLimits?
    /// How the image reaches the platform.
    public var imageDelivery: Delivery
    /// Whether the API can pick a frame of the video.
    public var frame: Bool
    /// With both an image and a frame, use the frame.
    public var prefersFrame: Bool

    public init(image: CoverImageLimits?, imageDelivery: Delivery = .withPost, frame: Bool, prefersFrame: Bool = false)
    {
        self.image = image
        self.imageDelivery = imageDelivery
        self.frame = frame
        self.prefersFrame = prefersFrame
    }

    /// No cover through the API.
    public static let none = CoverSupport(image: nil, frame: false)

    /// Decides what the platform gets from `choice` and checks it, offline.
    /// - Parameters:
    ///   - image: The probed image, when `choice` names one that could be read.
    ///   - media: The probed video (frame offsets must fall inside it).
    ///   - displayName: The platform's name for messages.
    public func plan(_ choice: CoverChoice, image: CoverImage?, media: MediaInfo, displayName: String) -> CoverPlan {
        var plan = CoverPlan()
        guard !choice.isEmpty else { return plan }
        let imageUsable = choice.imagePath != nil && self.image != nil
        let frameUsable = choice.frameAt != nil && frame
        if imageUsable, frameUsable {
            plan.use = prefersFrame ? choice.frameAt.map { .frame(seconds: $0) } : image.map { .image($0) }
        } else if imageUsable {
            plan.use = image.map { .image($0) }
        } else if frameUsable, let seconds = choice.frameAt {
            plan.use = .frame(seconds: seconds)
        }
        switch plan.use {
        case .image(let image)?:
            plan.issues += check(image, displayName: displayName)
            plan.notes.append("cover: \(CoverUse.image(image).detail) (\(image.summary)), \(imageDelivery)")
        case .frame(let seconds)?:
            if seconds < 0 || (media.duration > 0 && seconds >= media.duration) {
                plan.issues.append(
                    ValidationIssue(
                        field: "cover_at",
                        message:
                            "\(CoverUse.seconds(seconds)) s is outside the video "
                            + "(0 to \(String(format: "%.2f", media.duration)) s)"
                    ))
            }
            if choice.imagePath == nil || self.image != nil {  // otherwise the "takes no cover image" note says it
                plan.notes.append("cover: \(CoverUse.frame(seconds: seconds).detail)")
            }
        case nil:
            break
        }
        if choice.imagePath != nil, self.image == nil {
            plan.unsupported.append("\(displayName)'s API takes no cover image")
        }
        if choice.frameAt != nil, !frame, plan.use == nil || choice.imagePath == nil {
            plan.unsupported.append("\(displayName)'s API cannot pick a frame")
        }
        if !plan.unsupported.isEmpty {
            let instead = plan.use.map { "using \($0.detail)" } ?? "\(displayName) picks its own cover"
            plan.notes.append("cover: " + plan.unsupported.joined(separator: " and ") + "; \(instead)")
        }
        return plan
    }

    private func check(_ image: CoverImage, displayName: String) -> [ValidationIssue] {
        guard let limits = self.image else { return [] }
        var issues: [ValidationIssue] = []
        func add(_ message: String) { issues.append(ValidationIssue(field: "cover", message: message)) }
        if !limits.formats.contains(image.format) {
            add(
                "\(displayName) takes \(limits.formats.map(\.description).joined(separator: " or ")) covers, "
                    + "not \(image.format)"
            )
        }
        if image.sizeBytes > limits.maxBytes {
            add(
                "\(ByteFormat.string(image.sizeBytes)) is over \(displayName)'s "
                    + "\(ByteFormat.string(limits.maxBytes)) cover limit"
            )
        }
        if let min = limits.minWidth, image.width < min { add("\(image.width) px wide is below the \(min) px minimum") }
        if let min = limits.minHeight, image.height < min {
            add("\(image.height) px high is below the \(min) px minimum")
        }
        return issues
    }
}

/// What ``CoverSupport/plan(_:image:media:displayName:)`` decided for one platform.
public struct CoverPlan: Sendable, Equatable {
    /// What the platform will get, if anything.
    public var use: CoverUse?
    /// Lines for `--dry-run`.
    public var notes: [String] = []
    /// Problems (exit 65 before any upload).
    public var issues: [ValidationIssue] = []
    /// What was asked that the platform's API cannot take.
    public var unsupported: [String] = []

    public init(use: CoverUse? = nil) { self.use = use }

    /// What the job carries: ``use`` when nothing is wrong with it.
    public var usable: CoverUse? { issues.isEmpty ? use : nil }
}

/// How a platform's cover ended, in the result and the record.
public struct CoverOutcome: Sendable, Codable, Equatable, CustomStringConvertible {
    /// `set`, `notSet` or `unsupported`.
    public enum State: String, Sendable, Codable {
        /// The platform took the cover.
        case set
        /// The cover could not be set (the video stands); `atom status` retries it where the platform allows.
        case notSet
        /// The platform's API cannot take what was asked.
        case unsupported
    }

    public var state: State
    /// What was (or would have been) used: `the image cover.jpg`, `the frame at 1.5 s`.
    public var detail: String
    /// Why it was not set, in words.
    public var reason: String?
    /// Whether `atom status` can try again.
    public var retryable: Bool

    public init(state: State, detail: String, reason: String? = nil, retryable: Bool = false) {
        self.state = state
        self.detail = detail
        self.reason = reason.map(Redaction.redact)
        self.retryable = retryable
    }

    /// The platform took `use`.
    public static func set(_ use: CoverUse) -> CoverOutcome { CoverOutcome(state: .set, detail: use.detail) }

    /// `use` failed after the video was up.
    public static func notSet(_ use: CoverUse, reason: String, retryable: Bool) -> CoverOutcome {
        CoverOutcome(state: .notSet, detail: use.detail, reason: reason, retryable: retryable)
    }

    /// `cover set: the image cover.jpg` / `cover not set: …`.
    public var description: String {
        switch state {
        case .set: "cover set: \(detail)" + (reason.map { " (\($0))" } ?? "")
        case .notSet: "cover not set (\(detail)): \(reason ?? "unknown reason")"
        case .unsupported: "cover: \(reason ?? "not offered by the API")"
        }
    }
}
