import Foundation
print("atom")
