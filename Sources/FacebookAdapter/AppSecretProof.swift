import Crypto
import Foundation
import PublishingCore

/// `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret
/// (developers.facebook.com/docs/graph-api/securing-requests). Needed only when the app enables
/// "Require App Secret"; atom sends it when `FACEBOOK_APPSECRET_PROOF=1`.
enum AppSecretProof {
    /// The proof for `accessToken`.
    static func compute(accessToken: String, appSecret: String) -> String {
        let key = SymmetricKey(data: Data(appSecret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Data(accessToken.utf8), using: key)
        return FileDigest.hex(code)
    }
}
