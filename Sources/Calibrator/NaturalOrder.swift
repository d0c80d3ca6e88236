/// Ordering of names where digit runs compare as numbers (`fc2` < `fc10`), then by code points.
enum NaturalOrder {
    /// Whether `a` sorts before `b`.
    static func less(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator()
        var j = b.unicodeScalars.makeIterator()
        var x = i.next()
        var y = j.next()
        while let p = x, let q = y {
            if p.properties.numericType == .decimal, q.properties.numericType == .decimal,
                p.isASCII, q.isASCII
            {
                var m = ""
                var n = ""
                while let d = x, d.isASCII, d.properties.numericType == .decimal {
                    m.unicodeScalars.append(d)
                    x = i.next()
                }
                while let d = y, d.isASCII, d.properties.numericType == .decimal {
                    n.unicodeScalars.append(d)
                    y = j.next()
                }
                let mt = m.drop { $0 == "0" }
                let nt = n.drop { $0 == "0" }
                if mt.count != nt.count { return mt.count < nt.count }
                if mt != nt { return mt < nt }
                if m.count != n.count { return m.count < n.count }
                continue
            }
            if p != q { return p.value < q.value }
            x = i.next()
            y = j.next()
        }
        return x == nil && y != nil
    }
}
