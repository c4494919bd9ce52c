import Foundation

/// One page of a Graph list: `{"data": [ … ], "paging": {"cursors": {"after": …}, "next": …}}`.
struct GraphList<Entry: Decodable>: Decodable {
    /// The cursors and the next page's address, when there is one.
    struct Paging: Decodable {
        struct Cursors: Decodable { var after: String? }
        var cursors: Cursors?
        var next: String?
    }
    var data: [Entry]
    var paging: Paging?
}

/// A Page as Graph lists it (`/me/accounts`, a business's `owned_pages` and `client_pages`).
struct GraphPageEntry: Decodable {
    var id: String
    var name: String?
    var access_token: String?
    var tasks: [String]?

    /// The Page, named by its id when Graph gives no name.
    var page: FacebookLogin.Page {
        FacebookLogin.Page(id: id, name: name ?? id, accessToken: access_token, tasks: tasks)
    }
}
