import PublishingCore

/// TikTok's rules for `FILE_UPLOAD` chunks (Media Transfer Guide), as data so that tests can shrink them
/// together with the fake's.
///
/// The guide says "5 MB", "64 MB" and "128 MB" without saying whether a MB is 10⁶ or 2²⁰ bytes. The
/// documented defaults take the stricter reading of each bound: the minimum as 5 MiB, the maximum
/// and the final-chunk maximum in decimal megabytes.
public struct TikTokChunkRules: Sendable, Equatable, Codable {
    /// The smallest chunk (except a whole video smaller than this, which goes as one chunk).
    public var minChunkSize: Int64
    /// The largest `chunk_size`; a video larger than this must be sent in several chunks.
    public var maxChunkSize: Int64
    /// The largest final chunk (it absorbs the trailing bytes).
    public var maxFinalChunkSize: Int64
    /// The most chunks one upload may have.
    public var maxChunkCount: Int
    /// The chunk size atom uses when it splits a video larger than `maxChunkSize` (the guide's worked example).
    public var preferredChunkSize: Int64

    /// The documented rules: chunks of 5 MiB to 64,000,000 bytes, a final chunk up to 128,000,000 bytes,
    /// 1 to 1000 chunks; atom splits into 10,000,000-byte chunks.
    public static let documented = TikTokChunkRules(
        minChunkSize: 5 * 1024 * 1024, maxChunkSize: 64_000_000, maxFinalChunkSize: 128_000_000, maxChunkCount: 1000,
        preferredChunkSize: 10_000_000
    )
}

/// How one video is cut into `FILE_UPLOAD` chunks: the `source_info` sizes and each chunk's byte range.
///
/// `total_chunk_count` is `video_size / chunk_size` rounded down; every chunk is `chunk_size` bytes except the
/// last, which runs to the end of the file.
///
/// A video of at most `maxChunkSize` bytes (64,000,000) goes whole, with `chunk_size` equal to its size. The
/// Media Transfer Guide allows cutting it, but since about 2026-08-09 TikTok answers `400 invalid_params`
/// "The chunk size is invalid" at init for multi-chunk uploads of such files while one chunk goes through
/// (DayMoonDevelopment/post-for-me issue #327); Postiz also sends up to 64 MiB as one chunk
/// (gitroomhq/postiz-app, the TikTok provider). Above that, the guide's rules apply.
public struct TikTokChunkPlan: Sendable, Equatable, Codable {
    /// The whole video's size in bytes (`video_size`).
    public var videoSize: Int64
    /// The size of every chunk but the last (`chunk_size`).
    public var chunkSize: Int64
    /// The number of chunks (`total_chunk_count`).
    public var chunkCount: Int

    /// Plans the chunks of a video of `videoSize` bytes under `rules`.
    /// - Throws: ``PublishError`` (`limitExceeded`) when no plan satisfies the rules (an empty or too large file).
    public init(videoSize: Int64, rules: TikTokChunkRules = .documented) throws {
        guard videoSize > 0 else {
            throw PublishError(.invalidInput, platform: .tiktok, message: "the video is empty")
        }
        var chunk = max(rules.preferredChunkSize, 1)
        var count = videoSize / chunk
        if videoSize <= rules.maxChunkSize || count <= 1 {
            chunk = videoSize
            count = 1
        } else if count > Int64(rules.maxChunkCount) {
            chunk = (videoSize + Int64(rules.maxChunkCount) - 1) / Int64(rules.maxChunkCount)
            count = videoSize / chunk
        }
        self.videoSize = videoSize
        self.chunkSize = chunk
        self.chunkCount = Int(count)
        if let problem = violation(of: rules) {
            throw PublishError(
                .limitExceeded, platform: .tiktok,
                message: "a \(videoSize)-byte video cannot be cut into chunks TikTok accepts: \(problem)",
                remediation: "TikTok takes videos up to 4 GB; compress or shorten the video"
            )
        }
    }

    /// The byte range of chunk `index` (0-based).
    public func range(ofChunk index: Int) -> Range<Int64> {
        let start = Int64(index) * chunkSize
        let end = index == chunkCount - 1 ? videoSize : start + chunkSize
        return start..<end
    }

    /// The index of the chunk that starts at `offset`, or `nil` when no chunk starts there.
    public func chunkIndex(startingAt offset: Int64) -> Int? {
        guard offset >= 0, offset % chunkSize == 0 else { return nil }
        let index = Int(offset / chunkSize)
        return index < chunkCount ? index : nil
    }

    /// Why this plan breaks `rules`, or `nil` when it satisfies them.
    public func violation(of rules: TikTokChunkRules) -> String? {
        guard chunkCount >= 1, chunkCount <= rules.maxChunkCount else {
            return "\(chunkCount) chunks is outside 1…\(rules.maxChunkCount)"
        }
        guard Int64(chunkCount) == videoSize / chunkSize else {
            return "total_chunk_count \(chunkCount) is not video_size / chunk_size rounded down"
        }
        if chunkCount == 1 {
            if videoSize > rules.maxChunkSize { return "a single chunk may be at most \(rules.maxChunkSize) bytes" }
            if videoSize < rules.minChunkSize, chunkSize != videoSize {
                return "a video under the minimum must go whole"
            }
            return nil
        }
        if chunkSize < rules.minChunkSize || chunkSize > rules.maxChunkSize {
            return "chunk_size \(chunkSize) is outside \(rules.minChunkSize)…\(rules.maxChunkSize)"
        }
        let final = range(ofChunk: chunkCount - 1)
        let last = final.upperBound - final.lowerBound
        if last > rules.maxFinalChunkSize {
            return "the final chunk of \(last) bytes is over \(rules.maxFinalChunkSize)"
        }
        return nil
    }
}
