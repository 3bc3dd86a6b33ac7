"""Reference data of the demo shop: Vietnamese names, places, products and conversation text."""

from __future__ import annotations

# Family names with their approximate share of the population (per cent).
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 38.0, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 4.1, "Huỳnh": 4.0,
    "Phan": 4.5, "Vũ": 3.9, "Võ": 3.5, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
    "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5, "Trương": 1.2, "Đinh": 0.8, "Mai": 0.6, "Lâm": 0.5,
}  # fmt: skip

MIDDLE_NAMES_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Gia", "Hoàng", "Anh")
MIDDLE_NAMES_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Bảo", "Kim", "Phương", "Hồng", "Minh")

GIVEN_NAMES_MALE = (
    "An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
    "Khang", "Khoa", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
    "Thắng", "Thành", "Tiến", "Trung", "Tuấn", "Việt", "Vinh", "Khánh", "Lộc", "Nghĩa", "Toàn",
)  # fmt: skip
GIVEN_NAMES_FEMALE = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Linh",
    "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo",
    "Thu", "Thủy", "Trang", "Trinh", "Uyên", "Vân", "Yến", "Ngọc", "Diễm", "Nhi", "Vy",
)  # fmt: skip

# Province -> district -> a few of its wards (real names).
PLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "Hồ Chí Minh": {
        "Quận 1": ("Phường Bến Nghé", "Phường Bến Thành", "Phường Đa Kao", "Phường Tân Định"),
        "Quận 3": ("Phường Võ Thị Sáu", "Phường 5", "Phường 9", "Phường 14"),
        "Quận 7": ("Phường Tân Phong", "Phường Tân Phú", "Phường Tân Quy"),
        "Quận 10": ("Phường 12", "Phường 14", "Phường 15"),
        "Quận Bình Thạnh": ("Phường 1", "Phường 2", "Phường 25", "Phường 26"),
        "Quận Tân Bình": ("Phường 2", "Phường 4", "Phường 12", "Phường 13"),
        "Quận Phú Nhuận": ("Phường 7", "Phường 9", "Phường 15"),
        "Quận Gò Vấp": ("Phường 1", "Phường 3", "Phường 10", "Phường 17"),
        "Thành phố Thủ Đức": ("Phường Thảo Điền", "Phường An Phú", "Phường Linh Trung"),
    },
    "Hà Nội": {
        "Quận Hoàn Kiếm": ("Phường Hàng Bạc", "Phường Hàng Bông", "Phường Tràng Tiền"),
        "Quận Ba Đình": ("Phường Điện Biên", "Phường Kim Mã", "Phường Ngọc Hà", "Phường Liễu Giai"),
        "Quận Đống Đa": ("Phường Láng Hạ", "Phường Ô Chợ Dừa", "Phường Văn Miếu"),
        "Quận Hai Bà Trưng": ("Phường Bạch Mai", "Phường Lê Đại Hành", "Phường Minh Khai"),
        "Quận Cầu Giấy": ("Phường Dịch Vọng", "Phường Nghĩa Đô", "Phường Quan Hoa"),
        "Quận Thanh Xuân": ("Phường Khương Trung", "Phường Nhân Chính", "Phường Thanh Xuân Bắc"),
        "Quận Long Biên": ("Phường Bồ Đề", "Phường Gia Thụy", "Phường Ngọc Lâm"),
    },
    "Đà Nẵng": {
        "Quận Hải Châu": ("Phường Thạch Thang", "Phường Phước Ninh", "Phường Hòa Thuận Đông"),
        "Quận Thanh Khê": ("Phường Chính Gián", "Phường Tân Chính", "Phường Thạc Gián"),
        "Quận Sơn Trà": ("Phường An Hải Bắc", "Phường Mân Thái", "Phường Phước Mỹ"),
        "Quận Ngũ Hành Sơn": ("Phường Mỹ An", "Phường Khuê Mỹ", "Phường Hòa Hải"),
    },
    "Hải Phòng": {
        "Quận Hồng Bàng": ("Phường Hoàng Văn Thụ", "Phường Minh Khai", "Phường Quang Trung"),
        "Quận Lê Chân": ("Phường An Biên", "Phường Cát Dài", "Phường Trại Cau"),
        "Quận Ngô Quyền": ("Phường Lạch Tray", "Phường Đằng Giang", "Phường Máy Tơ"),
    },
    "Cần Thơ": {
        "Quận Ninh Kiều": ("Phường An Cư", "Phường An Hòa", "Phường Tân An", "Phường Xuân Khánh"),
        "Quận Cái Răng": ("Phường Lê Bình", "Phường Hưng Phú", "Phường Ba Láng"),
        "Quận Bình Thủy": ("Phường An Thới", "Phường Bình Thủy", "Phường Trà Nóc"),
    },
    "Bình Dương": {
        "Thành phố Thủ Dầu Một": ("Phường Phú Cường", "Phường Hiệp Thành", "Phường Phú Hòa"),
        "Thành phố Dĩ An": ("Phường Dĩ An", "Phường Đông Hòa", "Phường Tân Bình"),
        "Thành phố Thuận An": ("Phường Lái Thiêu", "Phường An Phú", "Phường Bình Hòa"),
    },
    "Đồng Nai": {
        "Thành phố Biên Hòa": ("Phường Tân Phong", "Phường Trảng Dài", "Phường Quyết Thắng"),
        "Thành phố Long Khánh": ("Phường Xuân An", "Phường Xuân Trung"),
    },
    "Khánh Hòa": {
        "Thành phố Nha Trang": ("Phường Lộc Thọ", "Phường Vĩnh Hải", "Phường Phước Hải"),
        "Thành phố Cam Ranh": ("Phường Cam Lộc", "Phường Cam Nghĩa"),
    },
    "Thừa Thiên Huế": {
        "Thành phố Huế": ("Phường Phú Hội", "Phường Vĩnh Ninh", "Phường Thuận Thành"),
    },
    "Quảng Ninh": {
        "Thành phố Hạ Long": ("Phường Bãi Cháy", "Phường Hồng Gai", "Phường Hà Khẩu"),
        "Thành phố Cẩm Phả": ("Phường Cẩm Thạch", "Phường Cẩm Trung"),
    },
    "Nghệ An": {
        "Thành phố Vinh": ("Phường Hưng Dũng", "Phường Lê Lợi", "Phường Trường Thi"),
    },
    "Lâm Đồng": {
        "Thành phố Đà Lạt": ("Phường 1", "Phường 2", "Phường 10"),
        "Thành phố Bảo Lộc": ("Phường 1", "Phường Lộc Phát"),
    },
}

PROVINCE_WEIGHTS: dict[str, float] = {
    "Hồ Chí Minh": 34, "Hà Nội": 24, "Đà Nẵng": 7, "Hải Phòng": 5, "Cần Thơ": 5,
    "Bình Dương": 6, "Đồng Nai": 5, "Khánh Hòa": 3, "Thừa Thiên Huế": 3, "Quảng Ninh": 3,
    "Nghệ An": 3, "Lâm Đồng": 2,
}  # fmt: skip

STREETS = (
    "Lê Đại Hành", "Nguyễn Huệ", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ",
    "Nguyễn Trãi", "Lý Thường Kiệt", "Cách Mạng Tháng Tám", "Võ Văn Tần", "Nguyễn Văn Cừ",
    "Phan Đình Phùng", "Hoàng Văn Thụ", "Quang Trung", "Lê Duẩn", "Nguyễn Thị Minh Khai",
    "Bạch Đằng", "Trường Chinh", "Phạm Văn Đồng", "Võ Nguyên Giáp", "Hùng Vương", "Láng Hạ",
    "Xuân Thủy", "Kim Mã", "Tôn Đức Thắng", "Nguyễn Văn Linh", "Pasteur", "Đinh Tiên Hoàng",
    "Lê Văn Sỹ", "Nguyễn Đình Chiểu",
)  # fmt: skip

DOCUMENTED_ADDRESS = "182 Lê Đại Hành"

EMAIL_DOMAINS = ("gmail.com",) * 14 + ("yahoo.com", "yahoo.com.vn", "hotmail.com", "outlook.com")

# Mobile prefixes of the brief, by carrier; the pre-2018 forms come from domain.phone.
MOBILE_PREFIXES = (
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "088", "091", "094", "081", "082", "083", "084", "085",
    "089", "090", "093", "070", "076", "077", "078", "079",
    "092", "056", "058", "099", "059",
)  # fmt: skip

# (store code, store name, province)
STORES = (
    ("HCM01", "Cửa hàng Quận 1", "Hồ Chí Minh"),
    ("HCM02", "Cửa hàng Phú Nhuận", "Hồ Chí Minh"),
    ("HN01", "Cửa hàng Hoàn Kiếm", "Hà Nội"),
    ("HN02", "Cửa hàng Cầu Giấy", "Hà Nội"),
    ("DN01", "Cửa hàng Hải Châu", "Đà Nẵng"),
    ("CT01", "Cửa hàng Ninh Kiều", "Cần Thơ"),
)

# (SKU stem, product name, base price in VND)
PRODUCTS = (
    ("ATN", "Áo thun nam cổ tròn", 189_000), ("ATU", "Áo thun nữ form rộng", 169_000),
    ("ASM", "Áo sơ mi nam tay dài", 359_000), ("ASN", "Áo sơ mi nữ lụa", 399_000),
    ("APL", "Áo polo nam", 289_000), ("AKH", "Áo khoác gió", 459_000),
    ("ALN", "Áo len cổ lọ", 329_000), ("QJN", "Quần jean nam ống đứng", 499_000),
    ("QJU", "Quần jean nữ lưng cao", 459_000), ("QKK", "Quần kaki nam", 399_000),
    ("QSO", "Quần short thể thao", 199_000), ("VLT", "Váy liền thân hoa nhí", 429_000),
    ("CVX", "Chân váy xếp ly", 299_000), ("DAM", "Đầm dự tiệc", 890_000),
    ("GSN", "Giày sneaker trắng", 790_000), ("GCG", "Giày cao gót mũi nhọn", 650_000),
    ("DEP", "Dép quai ngang", 159_000), ("TXD", "Túi xách da nữ", 1_250_000),
    ("BLO", "Ba lô laptop chống nước", 590_000), ("VID", "Ví da nam", 450_000),
    ("MLT", "Mũ lưỡi trai", 129_000), ("KMT", "Kính mát thời trang", 350_000),
    ("SML", "Son môi lì", 259_000), ("KCN", "Kem chống nắng SPF50", 319_000),
    ("SRM", "Sữa rửa mặt trà xanh", 179_000), ("NHN", "Nước hoa nữ 50ml", 1_590_000),
    ("TDM", "Tẩy trang dạng dầu", 229_000), ("MNA", "Mặt nạ dưỡng ẩm", 25_000),
    ("DGV", "Dầu gội thảo dược", 149_000), ("BTC", "Bình giữ nhiệt", 279_000),
    ("KHT", "Khẩu trang vải", 49_000), ("THL", "Thắt lưng da", 320_000),
    ("TAT", "Tất cổ ngắn (3 đôi)", 69_000), ("DHN", "Đồng hồ nam dây da", 1_490_000),
    ("VTC", "Vòng tay bạc", 540_000), ("KTO", "Khăn tắm cotton", 119_000),
    ("GOI", "Gối tựa lưng", 189_000), ("OPL", "Ốp lưng điện thoại", 99_000),
    ("SAC", "Sạc dự phòng 10.000mAh", 399_000), ("TNG", "Tai nghe không dây", 690_000),
)  # fmt: skip
COLOURS = (("DEN", "Đen"), ("TRG", "Trắng"), ("BE", "Be"), ("XNV", "Xanh navy"), ("DOD", "Đỏ đô"))

TIERS = (
    ("member", "Thành viên", 1),
    ("silver", "Bạc", 2),
    ("gold", "Vàng", 3),
    ("diamond", "Kim cương", 4),
)
TIER_THRESHOLDS = ((10_000_000, "diamond"), (5_000_000, "gold"), (2_000_000, "silver"))

STAFF_NAMES = (
    "Nguyễn Thị Lan", "Trần Minh Tuấn", "Lê Ngọc Hân", "Phạm Đức Anh", "Võ Thị Thu Trang",
    "Đặng Quốc Bảo", "Bùi Thanh Hương",
)  # fmt: skip

# The default folders and tags a page gets when it is connected (SPEC T2).
DEFAULT_PAGE_TAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Tư vấn - Bán hàng",
        (
            "Quan tâm", "Giá cao", "Thích ưu đãi", "Hết hàng", "Đã tư vấn", "Thiếu địa chỉ",
            "Thiếu số đt", "Chờ thanh toán", "Chờ chuyển khoản", "Không nghe máy", "Đã chốt đơn",
        ),
    ),
    ("Vận hành - Giao hàng", ("Giao gấp", "Chờ giao lại")),
    ("Nhóm khách hàng", ("Bom hàng", "Spam", "Khách chặn shop", "Mua sỉ", "Mua lần đầu", "Khách quen")),
)  # fmt: skip
SHOP_TAG_FOLDER = "Phân loại khách hàng"
SHOP_TAGS = (
    "VIP",
    "Khách sỉ",
    "Đã khiếu nại",
    "Khách mới",
    "Khách thân thiết",
    "Hay đổi trả",
    "Cộng tác viên",
)
TAG_COLOURS = ("#e53935", "#fb8c00", "#fdd835", "#43a047", "#1e88e5", "#8e24aa", "#6d4c41")

# (key, Vietnamese label, type): the documented default custom fields (SPEC S5).
CUSTOM_FIELDS = (
    ("industry", "Ngành hàng", "text"),
    ("mobile_number", "Số di động", "phone"),
    ("full_name", "Họ và tên", "text"),
    ("salutation", "Danh xưng", "text"),
    ("address", "Địa chỉ", "text"),
    ("province", "Tỉnh/Thành phố", "text"),
    ("district", "Quận/Huyện", "text"),
    ("ward", "Phường/Xã", "text"),
    ("just_bought_at_store", "Vừa mua tại cửa hàng", "text"),
    ("member_code", "Mã thành viên", "text"),
    ("member_points", "Điểm thành viên", "number"),
    ("member_expiry_date", "Ngày hết hạn thành viên", "date"),
    ("birthday", "Ngày sinh", "date"),
    ("last_purchase_date", "Ngày mua hàng gần nhất", "date"),
    ("phone_from_ref", "Số điện thoại (từ ref)", "phone"),
    ("email", "Email", "text"),
)
INDUSTRIES = ("Thời trang", "Mỹ phẩm", "Phụ kiện", "Gia dụng", "Điện tử")

# (channel, page name) of the demo's connected pages, repeated with a branch suffix beyond six.
PAGES = (
    ("facebook", "Thời Trang Demo"),
    ("instagram", "demo.fashion.vn"),
    ("zalo", "Thời Trang Demo OA"),
    ("shopee", "Demo Official Store"),
    ("facebook", "Demo Mỹ Phẩm"),
    ("facebook", "Demo Outlet Hà Nội"),
)

OFFERS = (
    ("SINHNHAT10", "Giảm 10% tháng sinh nhật"), ("FREESHIP", "Miễn phí vận chuyển"),
    ("VANG50K", "Giảm 50.000đ cho hạng Vàng"), ("TET2025", "Lì xì Tết 100.000đ"),
    ("DOIDIEM", "Đổi 200 điểm lấy voucher"),
)  # fmt: skip
POINT_NOTES = {
    "earn": "Tích điểm đơn hàng",
    "spend": "Đổi điểm lấy ưu đãi",
    "expire": "Điểm hết hạn",
}
BONUS_NOTE = "Thưởng điểm đánh giá sản phẩm"

REFS = (
    "khuyen-mai-thang-5",
    "qr-cua-hang",
    "livestream-cuoi-tuan",
    "minigame-tang-qua",
    "bang-size",
)
OTN_TOPICS = ("Hàng mới về", "Flash sale", "Thông báo khuyến mãi")
SOURCES = (
    "Messenger",
    "Quét mã QR cửa hàng",
    "Quảng cáo Facebook",
    "Bình luận bài viết",
    "Chat trên website",
)
SITE = "https://demo.myharavan.com"
SITE_PATHS = (
    "/",
    "/collections/ao-thun",
    "/products/vay-lien-than-hoa-nhi",
    "/pages/khuyen-mai",
    "/cart",
)
UTM_SOURCES = ("facebook", "google", "zalo", "tiktok")
UTM_MEDIUMS = ("cpc", "social", "email")
UTM_CAMPAIGNS = ("sale-11-11", "tet-2025", "he-ruc-ro", "back-to-school")

SEQUENCES = (
    ("Nhắc khách khi có hàng lại", ("Dạ sản phẩm bạn hỏi đã có hàng lại ạ!", "Shop giữ hàng cho bạn đến hết hôm nay nhé.", "Ưu đãi 10% cho bạn nếu đặt trong 24 giờ tới ạ.")),
    ("Chăm sóc sau mua hàng", ("Cảm ơn bạn đã mua hàng tại shop!", "Bạn đã nhận được hàng chưa ạ?", "Bạn đánh giá sản phẩm giúp shop nhé.")),
)  # fmt: skip
SEQUENCE_DELAYS = (0, 120, 1380)

INBOUND = (
    "Shop ơi còn size M không ạ?", "Giá bao nhiêu vậy shop?", "Ship về quận 7 mất mấy ngày?",
    "Cho mình xin bảng size", "Mình muốn đổi màu khác được không?", "Đã chuyển khoản rồi nhé shop",
    "Còn hàng không shop?", "Có freeship không ạ?", "Mình lấy 2 cái nhé", "Sao chưa thấy giao hàng vậy?",
    "Áo này có màu đen không?", "Cho mình đặt 1 cái, giao giờ hành chính",
)  # fmt: skip
OUTBOUND = (
    "Dạ shop chào bạn ạ", "Dạ còn hàng bạn nhé", "Dạ giá 350.000đ ạ", "Shop gửi bạn bảng size ạ",
    "Bạn cho shop xin số điện thoại và địa chỉ nhé", "Dạ đơn của bạn đã được giao cho bên vận chuyển",
    "Dạ shop miễn phí vận chuyển cho đơn từ 500.000đ ạ", "Cảm ơn bạn đã ủng hộ shop ạ",
)  # fmt: skip
COMMENTS = ("Giá bao nhiêu ạ?", "Inbox mình nhé", "Còn không shop?", "Xin giá", "Ib ạ", "Đẹp quá")
EMOJIS = ("👍", "❤️", "😊", "🥰", "🙏")
FILES = ("hoa-don.pdf", "bang-size.xlsx", "don-hang.pdf")
