import Foundation
import PublishingCore
import Synchronization
import Testing

@Suite("Journal: progress saves are spaced out, held back and flushed")
struct JournalTests {
    private struct Step: Codable, Sendable, Equatable { var next: Int }

    private func journal(interval: Duration) -> (Journal, @Sendable () -> [Int]) {
        let written = LockedBox<[Int]>([])
        let journal = Journal(progressInterval: interval) { value in
            let step = try JSONDecoder().decode(Step.self, from: JSONEncoder().encode(value))
            written.withLock { $0.append(step.next) }
        }
        return (journal, { written.value })
    }

    @Test("within the interval only the first progress save is written; flush writes the latest held one")
    func throttled() async throws {
        let (journal, written) = journal(interval: .seconds(60))
        for next in 1...50 { try await journal.saveProgress(Step(next: next)) }
        #expect(written() == [1])
        try await journal.flush()
        #expect(written() == [1, 50])
        try await journal.flush()  // nothing held any more
        #expect(written() == [1, 50])
    }

    @Test("a plain save is always written and drops the progress held before it")
    func saveSupersedes() async throws {
        let (journal, written) = journal(interval: .seconds(60))
        try await journal.save(Step(next: 0))
        try await journal.saveProgress(Step(next: 1))  // within the interval of the save: held
        try await journal.save(Step(next: 2))
        try await journal.flush()
        #expect(written() == [0, 2])
    }

    @Test("once the interval has passed, the next progress save is written at once")
    func intervalPassed() async throws {
        let (journal, written) = journal(interval: .milliseconds(20))
        try await journal.saveProgress(Step(next: 1))
        try await Task.sleep(for: .milliseconds(60))
        try await journal.saveProgress(Step(next: 2))
        #expect(written() == [1, 2])
    }
}
