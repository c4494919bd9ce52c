import Foundation

/// The parts of a `video` resource atom reads back [YT-VID]: from the final upload response and from `videos.list`.
struct YouTubeVideoResource: Decodable, Sendable, Equatable {
    struct Status: Decodable, Sendable, Equatable {
        /// `uploaded`, `processed`, `failed`, `rejected` or `deleted`.
        var uploadStatus: String?
        /// Why processing failed (`codec`, `conversion`, `emptyFile`, `invalidFile`, `tooSmall`, `uploadAborted`).
        var failureReason: String?
        /// Why YouTube rejected the video (`claim`, `copyright`, `duplicate`, `inappropriate`, `length`, `termsOfUse`, …).
        var rejectionReason: String?
        /// `public`, `private` or `unlisted`.
        var privacyStatus: String?
        /// The scheduled publish time, if any.
        var publishAt: String?
    }

    struct ProcessingDetails: Decodable, Sendable, Equatable {
        struct Progress: Decodable, Sendable, Equatable {
            var partsTotal: UInt64?
            var partsProcessed: UInt64?
            var timeLeftMs: UInt64?

            enum CodingKeys: String, CodingKey { case partsTotal, partsProcessed, timeLeftMs }

            // Google encodes uint64 fields as JSON strings; accept both.
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                func value(_ key: CodingKeys) -> UInt64? {
                    if let number = try? container.decodeIfPresent(UInt64.self, forKey: key) { return number }
                    return (try? container.decodeIfPresent(String.self, forKey: key)).flatMap {
                        $0.flatMap(UInt64.init)
                    }
                }
                partsTotal = value(.partsTotal)
                partsProcessed = value(.partsProcessed)
                timeLeftMs = value(.timeLeftMs)
            }
        }

        /// `processing`, `succeeded`, `failed` or `terminated`.
        var processingStatus: String?
        var processingProgress: Progress?
        /// `other`, `streamingFailed`, `transcodeFailed` or `uploadFailed`.
        var processingFailureReason: String?
    }

    var id: String
    var status: Status?
    var processingDetails: ProcessingDetails?
}

/// A `videos.list` answer.
struct YouTubeVideoList: Decodable, Sendable {
    var items: [YouTubeVideoResource]?
}
