import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// The fake's mutable state, guarded by ``FakeFacebook``'s mutex.
struct FakeFacebookState {
    var videos: [String: FakeFacebookVideo] = [:]
    var order: [String] = []
    var sessions: [String: String] = [:]  // upload_session_id → video id
    var faults: [FakeFacebook.Fault] = []
    var log: [FakeFacebook.LoggedRequest] = []
    var tokenExpired = false
    /// `DELETE /{user-id}/permissions` calls that ended the grant (the Page token stops working).
    var permissionRevocations = 0
    var reelsInWindow = 0
    var transferCount = 0
    var nextID: UInt64 = 0

    /// A new numeric id, unique within the fake (Graph ids are numeric strings).
    mutating func makeID() -> String {
        nextID += 1
        return String(800_000_000_000_000 + nextID)
    }

    /// Removes and returns the first fault matching `predicate`.
    mutating func takeFault(where predicate: (FakeFacebook.Fault) -> Bool) -> FakeFacebook.Fault? {
        guard let index = faults.firstIndex(where: predicate) else { return nil }
        return faults.remove(at: index)
    }

    /// The Graph error injected for `endpoint`, if any (consumed).
    mutating func takeGraphError(for endpoint: FakeFacebook.Endpoint) -> FakeFacebook.GraphError? {
        guard case .graphError(_, let error)? = takeFault(where: { if case .graphError(endpoint, _) = $0 { true } else { false } }) else {
            return nil
        }
        return error
    }
}

/// One video the fake made.
struct FakeFacebookVideo {
    enum Format: String { case reel, video }

    let id: String
    let format: Format
    var declaredSize: Int64?
    var digest = ReceivedDigest()
    var fileURL: String?
    var uploadComplete = false
    var sessionID: String?
    var nextStart: Int64 = 0
    var nextEnd: Int64 = 0
    var uploadRequests = 0
    var uploadOffsets: [Int64] = []
    var finishCount = 0
    var title: String?
    var description: String?
    var videoState: String?
    var scheduledPublishTime: Int64?
    var statusReads = 0
    /// Status reads left before processing completes; `nil` until the finish call.
    var processingPollsLeft: Int?
    var processingFailure: String?
    var processed = false
    var thumbnail: FakeImage?

    init(id: String, format: Format) {
        self.id = id
        self.format = format
    }

    var finished: Bool { finishCount > 0 }

    var snapshot: FakeFacebook.VideoSnapshot {
        FakeFacebook.VideoSnapshot(
            format: format.rawValue, id: id, declaredSize: declaredSize, bytesReceived: digest.count, sha256: digest.hex,
            fileURL: fileURL, uploadRequests: uploadRequests, uploadOffsets: uploadOffsets, finishCount: finishCount, title: title,
            description: description, videoState: videoState, scheduledPublishTime: scheduledPublishTime, statusReads: statusReads,
            thumbnail: thumbnail)
    }

    /// Adds received bytes.
    mutating func receive(_ buffer: ByteBuffer) {
        digest.update(buffer)
    }

    /// Marks the finish call: processing starts.
    mutating func finish(polls: Int, failure: String?) {
        finishCount += 1
        processingPollsLeft = polls
        processingFailure = failure
    }

    /// One status read: processing advances one step per read after the finish call.
    mutating func advance() {
        statusReads += 1
        guard finished, !processed, let left = processingPollsLeft else { return }
        if left > 0 {
            processingPollsLeft = left - 1
        } else {
            processed = true
        }
    }

    /// The `status` object, in Graph's shape.
    var status: JSONValue {
        let failed = processed && processingFailure != nil
        let uploading: String = uploadComplete ? "complete" : (digest.count > 0 || fileURL != nil ? "in_progress" : "not_started")
        var processing: [String: JSONValue] = ["status": .string(!finished ? "not_started" : failed ? "error" : processed ? "complete" : "in_progress")]
        if failed, let message = processingFailure {
            processing["errors"] = .array([.object(["code": .number(1_363_008), "message": .string(message)])])
        }
        var publishing: [String: JSONValue] = ["status": .string(processed && !failed ? "complete" : "not_started")]
        if processed, !failed {
            publishing["publish_status"] = .string(videoState == "SCHEDULED" ? "scheduled" : videoState == "DRAFT" ? "draft" : "published")
            if let time = scheduledPublishTime { publishing["publish_time"] = .number(Double(time)) }
        }
        let videoStatus = failed ? "error" : processed ? "ready" : finished ? "processing" : uploadComplete ? "upload_complete" : "uploading"
        return .object([
            "video_status": .string(videoStatus),
            "uploading_phase": .object(["status": .string(uploading), "bytes_transferred": .number(Double(digest.count))]),
            "processing_phase": .object(processing),
            "publishing_phase": .object(publishing),
        ])
    }
}
