#include "qledger/demo_history.hpp"

#include "qledger/event_schema.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/record_state.hpp"
#include "qledger/working_day_calendar.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qledger {

namespace {

// ---- Randomness: integer-only draws from mt19937_64, identical on every standard library ----

class Dice {
 public:
  explicit Dice(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n), n > 0 (rejection sampling: no modulo bias).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
      const std::uint64_t x = engine_();
      if (x < limit) return x % n;
    }
  }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
  int between(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  std::int64_t between64(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  bool permille(int p) { return static_cast<int>(below(1000)) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[index(items.size())];
  }
  // Index drawn with the given integer weights (at least one positive).
  std::size_t weighted(const std::vector<int>& weights) {
    std::uint64_t total = 0;
    for (int w : weights) total += static_cast<std::uint64_t>(std::max(w, 0));
    std::uint64_t x = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const auto w = static_cast<std::uint64_t>(std::max(weights[i], 0));
      if (x < w) return i;
      x -= w;
    }
    return weights.size() - 1;
  }
  // A count with mean expected_milli / 1000 and some spread.
  int count(std::int64_t expected_milli) {
    const std::int64_t whole = expected_milli / 1000;
    int n = 0;
    for (std::int64_t i = 0; i < 2 * whole; ++i) n += static_cast<int>(below(2));
    if (permille(static_cast<int>(expected_milli % 1000))) ++n;
    return n;
  }

 private:
  std::mt19937_64 engine_;
};

// ---- Formatting ----

std::string padded(std::int64_t n, int width) {
  std::string s = std::to_string(n);
  if (static_cast<int>(s.size()) < width)
    s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return s;
}

// Fixed-point number: value 1234 with 2 decimals is "12.34".
std::string decimal(std::int64_t value, int decimals) {
  if (decimals == 0) return std::to_string(value);
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return std::to_string(value / scale) + "." + padded(value % scale, decimals);
}

std::string yuan(std::int64_t fen) { return decimal(fen, 2); }

CivilDate add_years(CivilDate d, int years) {
  const int y = d.year() + years;
  const int day = d.month() == 2 && d.day() == 29 && !is_leap_year(y) ? 28 : d.day();
  return CivilDate(y, d.month(), day);
}

std::string yymmdd(CivilDate d) {
  return padded(d.year(), 4) + padded(d.month(), 2) + padded(d.day(), 2);
}

// ---- The county ----

struct Township {
  const char* name;
  int weight;
};
const std::vector<Township>& townships() {
  static const std::vector<Township> all = {
      {"衡山镇", 300},  {"佛子岭镇", 60}, {"下符桥镇", 90}, {"但家庙镇", 55},
      {"与儿街镇", 70}, {"黑石渡镇", 45}, {"诸佛庵镇", 50}, {"落儿岭镇", 40},
      {"磨子潭镇", 35}, {"大化坪镇", 45}, {"漫水河镇", 40}, {"上土市镇", 30},
      {"单龙寺镇", 40}, {"东西溪乡", 20}, {"太平畈乡", 40}, {"太阳乡", 30}};
  return all;
}

// Invented trade names (字号); any likeness to a real business is a coincidence.
const std::vector<const char*>& trade_names() {
  static const std::vector<const char*> all = {
      "青岚", "云雾", "松涛", "翠谷", "竹溪", "兰溪", "明川", "鸿泰", "华信", "恒瑞", "瑞丰",
      "嘉禾", "绿源", "润泽", "丰年", "金叶", "银针", "清溪", "碧岭", "博远", "联创", "德润",
      "启航", "安捷", "天工", "皖岳", "淠源", "白莲", "雾峰", "山泉", "林语", "茗香", "晨曦",
      "远山", "黛峰", "鹤鸣", "松岩", "龙潭", "凤岭", "石门", "枫林", "桃源", "云岭", "溪畔",
      "秀岭", "华康", "永安", "广源", "裕丰", "宏达", "新宇", "诚信", "盛兴", "隆和", "佳森",
      "茂春", "秋霞", "岚韵", "悦山", "映溪", "禾润", "青禾", "栖霞", "汇川", "东岳", "南岭"};
  return all;
}
constexpr std::string_view kNameChars =
    "青岚云雾松涛翠谷竹溪兰明川鸿华信恒泰瑞丰嘉禾绿源润泽金叶清碧岭博远德启安捷天工岳莲峰泉林"
    "茗香晨曦黛鹤岩潭凤石枫桃秀康永裕宏新诚盛兴隆和佳森茂春秋霞";

enum class Trade {
  kTea,
  kDendrobium,
  kHuangjing,
  kFoodFactory,
  kTcmPharma,
  kHealthCare,
  kCatering,
  kMarket,
  kFarm,
  kMachinery,
  kCable,
  kMaterials,
  kRetail,
  kScenic,
  kGas,
  kProperty,
  kPublic,
};

struct NameForm {
  const char* ending;
  const char* kind;  // "91" company, "92" individual business, "93" co-operative, "12" institution
};

struct ProductLine {
  const char* category;  // sampling category
  const char* ending;    // company name ending
  const char* sc;        // SC food category code, "" if not food
};

struct TradeSpec {
  Trade trade;
  const char* industry;
  int baseline;  // entities at scale 1
  int licence_permille;
  const char* sc;
  std::vector<NameForm> forms;
  std::vector<const char*> townships;  // preferred
  std::vector<ProductLine> lines;      // product lines (one per entity), if any
};

const std::vector<TradeSpec>& trades() {
  static const std::vector<TradeSpec> all = {
      {Trade::kTea,
       "ecological_food",
       36,
       400,
       "114",
       {{"茶业有限公司", "91"}, {"生态茶业有限公司", "91"}, {"茶叶专业合作社", "93"}},
       {"大化坪镇", "太阳乡", "诸佛庵镇", "上土市镇", "单龙寺镇", "漫水河镇"},
       {}},
      {Trade::kDendrobium,
       "tcm_health",
       18,
       300,
       "114",
       {{"石斛开发有限公司", "91"}, {"石斛专业合作社", "93"}, {"生物科技有限公司", "91"}},
       {"太平畈乡", "佛子岭镇", "衡山镇", "与儿街镇"},
       {}},
      {Trade::kHuangjing,
       "tcm_health",
       10,
       400,
       "116",
       {{"黄精开发有限公司", "91"}, {"农业科技有限公司", "91"}},
       {"磨子潭镇", "漫水河镇", "黑石渡镇", "落儿岭镇"},
       {}},
      {Trade::kFoodFactory,
       "ecological_food",
       24,
       600,
       "",
       {},
       {"衡山镇", "下符桥镇", "与儿街镇", "但家庙镇"},
       {{"糕点", "食品有限公司", "124"},
        {"酱腌菜", "食品有限公司", "116"},
        {"食用植物油（山茶油）", "油脂有限公司", "102"},
        {"白酒", "酒业有限公司", "115"},
        {"包装饮用水", "饮品有限公司", "106"},
        {"大米", "米业有限公司", "101"},
        {"粉丝", "食品有限公司", "123"},
        {"炒货食品（山核桃）", "食品有限公司", "118"},
        {"蜂蜜", "蜂业有限公司", "126"},
        {"肉制品（腊肉）", "食品有限公司", "104"}}},
      {Trade::kTcmPharma,
       "tcm_health",
       8,
       0,
       "",
       {{"中药饮片有限公司", "91"}, {"药业有限公司", "91"}, {"中药材专业合作社", "93"}},
       {"衡山镇", "下符桥镇", "与儿街镇"},
       {}},
      {Trade::kHealthCare,
       "tcm_health",
       8,
       0,
       "",
       {{"健康管理有限公司", "91"}, {"康养服务有限公司", "91"}, {"中医诊所", "92"}},
       {"衡山镇", "佛子岭镇", "落儿岭镇"},
       {}},
      {Trade::kCatering,
       "other",
       30,
       0,
       "",
       {{"大酒店有限公司", "91"}, {"餐馆", "92"}, {"农家乐", "92"}, {"小吃店", "92"}},
       {"衡山镇", "佛子岭镇", "落儿岭镇", "漫水河镇"},
       {}},
      {Trade::kMarket,
       "other",
       22,
       0,
       "",
       {{"超市有限公司", "91"},
        {"农贸市场管理有限公司", "91"},
        {"生鲜超市", "92"},
        {"副食店", "92"}},
       {"衡山镇", "下符桥镇", "与儿街镇"},
       {}},
      {Trade::kFarm,
       "ecological_food",
       18,
       0,
       "",
       {{"蔬菜专业合作社", "93"}, {"家庭农场", "92"}, {"生态养殖专业合作社", "93"}},
       {"但家庙镇", "下符桥镇", "黑石渡镇", "单龙寺镇"},
       {}},
      {Trade::kMachinery,
       "high_end_equipment",
       22,
       0,
       "",
       {},
       {"衡山镇", "下符桥镇", "与儿街镇"},
       {{"低压断路器", "电气有限公司", ""},
        {"电焊机", "机电有限公司", ""},
        {"小功率电动机", "电机有限公司", ""},
        {"农用水泵", "泵业有限公司", ""},
        {"汽车制动衬片", "汽车零部件有限公司", ""}}},
      {Trade::kCable,
       "high_end_equipment",
       8,
       0,
       "",
       {{"电缆有限公司", "91"}, {"线缆科技有限公司", "91"}},
       {"衡山镇", "下符桥镇"},
       {}},
      {Trade::kMaterials,
       "other",
       12,
       0,
       "",
       {},
       {"下符桥镇", "但家庙镇", "黑石渡镇", "与儿街镇"},
       {{"水泥", "建材有限公司", ""},
        {"塑料管材（PPR）", "管业有限公司", ""},
        {"防水卷材", "新型建材有限公司", ""},
        {"胶合板", "竹木制品有限公司", ""}}},
      {Trade::kRetail,
       "other",
       20,
       0,
       "",
       {{"商贸有限公司", "91"}, {"家电商场", "92"}, {"电动车行", "92"}, {"农资经营部", "92"}},
       {"衡山镇", "下符桥镇", "与儿街镇", "佛子岭镇"},
       {}},
      {Trade::kScenic,
       "other",
       5,
       0,
       "",
       {{"旅游开发有限公司", "91"}, {"文化旅游有限公司", "91"}},
       {"落儿岭镇", "磨子潭镇", "漫水河镇", "佛子岭镇", "太阳乡"},
       {}},
      {Trade::kGas,
       "other",
       4,
       0,
       "",
       {{"燃气有限公司", "91"}, {"能源有限公司", "91"}},
       {"衡山镇", "下符桥镇"},
       {}},
      {Trade::kProperty,
       "other",
       12,
       0,
       "",
       {{"物业管理有限公司", "91"}, {"物业服务有限公司", "91"}},
       {"衡山镇"},
       {}},
      {Trade::kPublic,
       "other",
       7,
       0,
       "",
       {{"卫生院", "12"}, {"中心学校", "12"}, {"敬老院", "12"}},
       {},
       {}},
  };
  return all;
}

const TradeSpec& spec_of(Trade t) { return trades()[static_cast<std::size_t>(t)]; }

// ---- Sampling categories and realistic failed items ----

struct ItemSpec {
  const char* item;
  int lo, hi;  // measured value range in units of 10^-decimals; both 0: `text` is the value
  int decimals;
  const char* text;  // measured text, or a suffix after the number (e.g. "×10⁵")
  const char* limit;
  const char* unit;
  const char* standard;
  bool micro;
};

struct CategorySpec {
  const char* name;
  const char* regime;
  int fail_permille;
  std::vector<ItemSpec> items;
};

const std::vector<CategorySpec>& categories() {
  static const std::vector<CategorySpec> all = {
      // food
      {"茶叶（霍山黄芽）",
       "food",
       45,
       {{"铅（以Pb计）", 52, 96, 1, "", "≤5.0", "mg/kg", "GB 2762-2022", false},
        {"草甘膦", 14, 36, 1, "", "≤1", "mg/kg", "GB 2763-2021", false},
        {"联苯菊酯", 58, 96, 1, "", "≤5", "mg/kg", "GB 2763-2021", false},
        {"吡虫啉", 6, 15, 1, "", "≤0.5", "mg/kg", "GB 2763-2021", false}}},
      {"茶叶（黄大茶）",
       "food",
       40,
       {{"铅（以Pb计）", 52, 88, 1, "", "≤5.0", "mg/kg", "GB 2762-2022", false},
        {"草甘膦", 12, 30, 1, "", "≤1", "mg/kg", "GB 2763-2021", false}}},
      {"代用茶（石斛）",
       "food",
       35,
       {{"二氧化硫残留量", 40, 180, 3, "", "不得使用", "g/kg", "GB 2760-2014", false},
        {"铅（以Pb计）", 55, 80, 1, "", "≤5.0", "mg/kg", "GB 2762-2022", false}}},
      {"黄精制品",
       "food",
       60,
       {{"二氧化硫残留量", 42, 160, 2, "", "≤0.2", "g/kg", "GB 2760-2014", false},
        {"霉菌", 80, 400, 0, "", "≤50", "CFU/g", "GB 2762-2022", true}}},
      {"药食同源食品（葛根粉）",
       "food",
       30,
       {{"二氧化硫残留量", 5, 22, 2, "", "≤0.03", "g/kg", "GB 2760-2014", false}}},
      {"糕点",
       "food",
       45,
       {{"菌落总数", 11, 98, 1, "×10⁵", "n=5,c=2,m=10⁴,M=10⁵", "CFU/g", "GB 7099-2015", true},
        {"霉菌", 180, 920, 0, "", "≤150", "CFU/g", "GB 7099-2015", true},
        {"过氧化值（以脂肪计）", 31, 62, 2, "", "≤0.25", "g/100g", "GB 7099-2015", false},
        {"脱氢乙酸及其钠盐（以脱氢乙酸计）", 62, 110, 2, "", "≤0.5", "g/kg", "GB 2760-2014",
         false}}},
      {"酱腌菜",
       "food",
       40,
       {{"苯甲酸及其钠盐（以苯甲酸计）", 12, 25, 1, "", "≤1.0", "g/kg", "GB 2760-2014", false},
        {"亚硝酸盐（以NaNO₂计）", 26, 48, 0, "", "≤20", "mg/kg", "GB 2762-2022", false},
        {"大肠菌群", 11, 98, 1, "×10³", "n=5,c=2,m=10,M=10³", "CFU/g", "GB 2714-2015", true}}},
      {"食用植物油（山茶油）",
       "food",
       30,
       {{"酸价（KOH）", 36, 52, 1, "", "≤3.0", "mg/g", "GB 2716-2018", false},
        {"苯并[a]芘", 142, 280, 1, "", "≤10", "μg/kg", "GB 2762-2022", false},
        {"过氧化值", 32, 45, 2, "", "≤0.25", "g/100g", "GB 2716-2018", false}}},
      {"白酒",
       "food",
       25,
       {{"甜蜜素（以环己基氨基磺酸计）", 12, 120, 3, "", "不得使用", "g/kg", "GB 2760-2014", false},
        {"酒精度", 483, 505, 1, "", "52.0±1.0", "%vol", "GB/T 10781.1-2021", false}}},
      {"包装饮用水",
       "food",
       35,
       {{"铜绿假单胞菌", 0, 0, 0, "检出", "n=5,c=0,m=0", "CFU/250mL", "GB 19298-2014", true},
        {"溴酸盐", 12, 25, 3, "", "≤0.01", "mg/L", "GB 19298-2014", false}}},
      {"大米",
       "food",
       25,
       {{"镉（以Cd计）", 22, 45, 2, "", "≤0.2", "mg/kg", "GB 2762-2022", false}}},
      {"粉丝",
       "food",
       40,
       {{"铝的残留量（干样品，以Al计）", 260, 520, 0, "", "≤200", "mg/kg", "GB 2760-2014", false}}},
      {"炒货食品（山核桃）",
       "food",
       40,
       {{"过氧化值（以脂肪计）", 62, 140, 2, "", "≤0.50", "g/100g", "GB 19300-2014", false},
        {"酸价（以脂肪计）（KOH）", 32, 56, 1, "", "≤3", "mg/g", "GB 19300-2014", false}}},
      {"蜂蜜",
       "food",
       35,
       {{"果糖和葡萄糖", 520, 590, 1, "", "≥60", "g/100g", "GB 14963-2011", false},
        {"氯霉素", 3, 12, 1, "", "不得检出", "μg/kg", "农业农村部公告第250号", false}}},
      {"肉制品（腊肉）",
       "food",
       35,
       {{"过氧化值（以脂肪计）", 60, 120, 2, "", "≤0.5", "g/100g", "GB 2730-2015", false},
        {"亚硝酸盐（以亚硝酸钠计）", 36, 62, 0, "", "≤30", "mg/kg", "GB 2760-2014", false}}},
      {"餐饮食品（自制面点）",
       "food",
       30,
       {{"铝的残留量（干样品，以Al计）", 120, 380, 0, "", "≤100", "mg/kg", "GB 2760-2014", false}}},
      {"复用餐饮具",
       "food",
       60,
       {{"大肠菌群", 0, 0, 0, "检出", "不得检出", "/50cm²", "GB 14934-2016", true},
        {"阴离子合成洗涤剂（以十二烷基苯磺酸钠计）", 12, 80, 3, "", "不得检出", "mg/100cm²",
         "GB 14934-2016", false}}},
      {"饮料",
       "food",
       20,
       {{"菌落总数", 12, 96, 1, "×10⁴", "n=5,c=2,m=10²,M=10⁴", "CFU/mL", "GB 7101-2022", true}}},
      {"调味品（酱油）",
       "food",
       20,
       {{"氨基酸态氮", 28, 38, 2, "", "≥0.40", "g/100mL", "GB/T 18186-2000", false}}},
      {"乳制品", "food", 5, {{"蛋白质", 26, 28, 1, "", "≥2.9", "g/100g", "GB 19645-2010", false}}},
      // agri
      {"蔬菜（韭菜）",
       "agri",
       70,
       {{"腐霉利", 8, 26, 1, "", "≤0.2", "mg/kg", "GB 2763-2021", false},
        {"毒死蜱", 4, 18, 2, "", "≤0.02", "mg/kg", "GB 2763-2021", false},
        {"氯氟氰菊酯和高效氯氟氰菊酯", 6, 15, 1, "", "≤0.5", "mg/kg", "GB 2763-2021", false}}},
      {"蔬菜（芹菜）",
       "agri",
       60,
       {{"毒死蜱", 6, 40, 2, "", "≤0.05", "mg/kg", "GB 2763-2021", false},
        {"甲拌磷", 2, 9, 2, "", "≤0.01", "mg/kg", "GB 2763-2021", false}}},
      {"蔬菜（豇豆）",
       "agri",
       55,
       {{"灭蝇胺", 6, 24, 1, "", "≤0.5", "mg/kg", "GB 2763-2021", false},
        {"倍硫磷", 8, 30, 2, "", "≤0.05", "mg/kg", "GB 2763-2021", false}}},
      {"蔬菜（普通白菜）",
       "agri",
       30,
       {{"毒死蜱", 4, 15, 2, "", "≤0.02", "mg/kg", "GB 2763-2021", false},
        {"啶虫脒", 12, 30, 1, "", "≤1", "mg/kg", "GB 2763-2021", false}}},
      {"水果（猕猴桃）",
       "agri",
       15,
       {{"氯吡脲", 7, 20, 2, "", "≤0.05", "mg/kg", "GB 2763-2021", false}}},
      {"畜禽肉（猪肉）",
       "agri",
       15,
       {{"克伦特罗", 5, 30, 1, "", "不得检出", "μg/kg", "农业农村部公告第250号", false}}},
      {"畜禽肉（鸡肉）",
       "agri",
       30,
       {{"恩诺沙星（以恩诺沙星与环丙沙星之和计）", 180, 420, 0, "", "≤100", "μg/kg",
         "GB 31650-2019", false}}},
      {"水产品（鲫鱼）",
       "agri",
       35,
       {{"孔雀石绿", 12, 60, 1, "", "不得检出", "μg/kg", "农业农村部公告第250号", false},
        {"恩诺沙星（以恩诺沙星与环丙沙星之和计）", 130, 300, 0, "", "≤100", "μg/kg",
         "GB 31650-2019", false}}},
      {"鲜蛋（鸡蛋）",
       "agri",
       35,
       {{"氟苯尼考", 20, 120, 1, "", "不得检出", "μg/kg", "GB 31650-2019", false},
        {"甲硝唑", 10, 50, 1, "", "不得检出", "μg/kg", "农业农村部公告第250号", false}}},
      // product
      {"电线电缆",
       "product",
       50,
       {{"导体电阻", 760, 820, 2, "", "≤7.41", "Ω/km", "GB/T 5023.3-2008", false},
        {"绝缘平均厚度", 58, 68, 2, "", "≥0.70", "mm", "GB/T 5023.3-2008", false},
        {"绝缘老化前抗张强度", 92, 118, 1, "", "≥12.5", "MPa", "GB/T 5023.2-2008", false}}},
      {"低压断路器",
       "product",
       40,
       {{"瞬时脱扣特性", 0, 0, 0, "规定电流下未脱扣", "符合标准要求", "", "GB/T 14048.2-2020",
         false},
        {"温升", 72, 88, 0, "", "≤70", "K", "GB/T 14048.2-2020", false}}},
      {"电焊机",
       "product",
       40,
       {{"防触电保护", 0, 0, 0, "不符合", "符合标准要求", "", "GB/T 15579.1-2013", false},
        {"额定空载电压", 86, 98, 0, "", "≤80", "V", "GB/T 15579.1-2013", false}}},
      {"小功率电动机",
       "product",
       30,
       {{"效率", 812, 842, 1, "", "≥85.5", "%", "GB 18613-2020", false}}},
      {"农用水泵",
       "product",
       30,
       {{"泵效率", 480, 550, 1, "", "≥58.0", "%", "GB/T 13007-2011", false}}},
      {"汽车制动衬片",
       "product",
       30,
       {{"摩擦系数", 24, 29, 2, "", "≥0.30", "", "GB 5763-2018", false}}},
      {"水泥",
       "product",
       35,
       {{"3d抗压强度", 142, 168, 1, "", "≥17.0", "MPa", "GB 175-2023", false},
        {"三氧化硫", 36, 42, 1, "", "≤3.5", "%", "GB 175-2023", false}}},
      {"塑料管材（PPR）",
       "product",
       40,
       {{"纵向回缩率", 25, 46, 1, "", "≤2", "%", "GB/T 18742.2-2017", false},
        {"简支梁冲击试验", 0, 0, 0, "破损率20%", "破损率<10%", "", "GB/T 18742.2-2017", false}}},
      {"防水卷材",
       "product",
       35,
       {{"拉力", 380, 480, 0, "", "≥500", "N/50mm", "GB 18242-2008", false}}},
      {"胶合板",
       "product",
       35,
       {{"甲醛释放量", 14, 30, 2, "", "≤0.124", "mg/m³", "GB 18580-2017", false}}},
      {"电动自行车",
       "product",
       45,
       {{"最高设计车速", 28, 36, 0, "", "≤25", "km/h", "GB 17761-2018", false},
        {"整车质量", 56, 68, 0, "", "≤55", "kg", "GB 17761-2018", false}}},
      {"复合肥料",
       "product",
       50,
       {{"总养分", 320, 430, 1, "", "≥45.0", "%", "GB/T 15063-2020", false},
        {"氯离子", 32, 58, 1, "", "≤3.0", "%", "GB/T 15063-2020", false}}},
      {"电热水壶",
       "product",
       35,
       {{"泄漏电流", 9, 20, 1, "", "≤0.75", "mA", "GB 4706.1-2005", false},
        {"结构", 0, 0, 0, "不符合", "符合标准要求", "", "GB 4706.19-2008", false}}},
      {"转换器（插头插座）",
       "product",
       60,
       {{"防触电保护", 0, 0, 0, "不符合", "符合标准要求", "", "GB/T 2099.1-2021", false},
        {"插头尺寸", 0, 0, 0, "不符合", "符合标准要求", "", "GB/T 1002-2021", false}}},
  };
  return all;
}

const CategorySpec& category_named(std::string_view name) {
  for (const auto& c : categories()) {
    if (name == c.name) return c;
  }
  throw std::logic_error("demo: unknown sampling category");
}

struct WeightedName {
  const char* name;
  int weight;
};

// The categories sampled at an entity of a trade, per regime.
std::vector<WeightedName> sampled_categories(Trade trade, const std::string& regime) {
  if (regime == "food") {
    switch (trade) {
      case Trade::kTea:
        return {{"茶叶（霍山黄芽）", 4}, {"茶叶（黄大茶）", 2}};
      case Trade::kDendrobium:
        return {{"代用茶（石斛）", 1}};
      case Trade::kHuangjing:
        return {{"黄精制品", 1}};
      case Trade::kTcmPharma:
        return {{"药食同源食品（葛根粉）", 1}};
      case Trade::kCatering:
        return {{"餐饮食品（自制面点）", 1}, {"复用餐饮具", 1}};
      case Trade::kMarket:
        return {{"糕点", 2},           {"饮料", 2},   {"食用植物油（山茶油）", 1},
                {"调味品（酱油）", 1}, {"乳制品", 1}, {"肉制品（腊肉）", 1},
                {"白酒", 1},           {"大米", 1}};
      case Trade::kRetail:
        return {{"糕点", 1}, {"饮料", 1}};
      default:
        return {};
    }
  }
  if (regime == "agri") {
    if (trade == Trade::kMarket) {
      return {{"蔬菜（韭菜）", 2},     {"蔬菜（芹菜）", 2},   {"蔬菜（豇豆）", 1},
              {"蔬菜（普通白菜）", 2}, {"水果（猕猴桃）", 1}, {"畜禽肉（猪肉）", 2},
              {"畜禽肉（鸡肉）", 1},   {"水产品（鲫鱼）", 1}, {"鲜蛋（鸡蛋）", 2}};
    }
    if (trade == Trade::kFarm) {
      return {{"蔬菜（韭菜）", 1},     {"蔬菜（芹菜）", 1},   {"蔬菜（豇豆）", 1},
              {"蔬菜（普通白菜）", 1}, {"畜禽肉（鸡肉）", 1}, {"鲜蛋（鸡蛋）", 1}};
    }
    return {};
  }
  if (trade == Trade::kRetail) {
    return {{"电动自行车", 2}, {"复合肥料", 2}, {"电热水壶", 1}, {"转换器（插头插座）", 1}};
  }
  if (trade == Trade::kCable) return {{"电线电缆", 1}};
  return {};
}

// Entity pools: how likely an entity of a trade is to be picked for each purpose.
enum Pool { kFoodPool, kAgriPool, kProductPool, kComplaintPool, kPoolCount };

int pool_weight(Pool pool, Trade t) {
  switch (pool) {
    case kFoodPool:
      switch (t) {
        case Trade::kTea:
          return 3;
        case Trade::kDendrobium:
        case Trade::kHuangjing:
        case Trade::kCatering:
          return 2;
        case Trade::kTcmPharma:
        case Trade::kRetail:
          return 1;
        case Trade::kFoodFactory:
        case Trade::kMarket:
          return 4;
        default:
          return 0;
      }
    case kAgriPool:
      return t == Trade::kMarket || t == Trade::kFarm ? 3 : 0;
    case kProductPool:
      switch (t) {
        case Trade::kRetail:
          return 2;
        case Trade::kMachinery:
        case Trade::kCable:
        case Trade::kMaterials:
          return 3;
        default:
          return 0;
      }
    case kComplaintPool:
      switch (t) {
        case Trade::kMarket:
        case Trade::kRetail:
          return 5;
        case Trade::kCatering:
          return 4;
        case Trade::kProperty:
          return 3;
        case Trade::kScenic:
          return 2;
        case Trade::kPublic:
        case Trade::kFarm:
          return 0;
        default:
          return 1;
      }
    case kPoolCount:
      break;
  }
  return 0;
}

// ---- Special equipment ----

struct CategoryInfo {
  const char* code;      // events.json equipment_category
  const char* reg_char;  // 使用登记证 category character
  int baseline;          // units at scale 1
  int new_per_year;      // new registrations a year at scale 1
  std::vector<WeightedName> varieties;
};

const std::vector<CategoryInfo>& equipment_categories() {
  static const std::vector<CategoryInfo> all = {
      {"lift", "梯", 150, 15, {{"3110", 80}, {"3120", 8}, {"3310", 6}, {"3430", 6}}},
      {"pressure_vessel", "容", 62, 2, {{"2150", 50}, {"2170", 30}, {"2130", 12}, {"2410", 8}}},
      {"gas_cylinder", "瓶", 22, 1, {{"2320", 80}, {"2310", 20}}},
      {"boiler", "锅", 28, 1, {{"1100", 55}, {"1200", 35}, {"1320", 10}}},
      {"crane", "起", 38, 3, {{"4110", 45}, {"4210", 25}, {"4860", 25}, {"4D00", 5}}},
      {"in_plant_vehicle", "车", 45, 3, {{"5110", 100}}},
      {"pressure_piping", "管", 10, 0, {{"8210", 60}, {"8310", 30}, {"8220", 10}}},
      {"amusement_ride", "游", 7, 0, {{"6200", 30}, {"6600", 30}, {"6A00", 25}, {"6B00", 15}}},
      {"passenger_ropeway", "索", 1, 0, {{"9120", 100}}},
  };
  return all;
}

int user_weight(const std::string& category, Trade t) {
  auto w = [&](std::initializer_list<std::pair<Trade, int>> list) {
    for (const auto& [trade, weight] : list) {
      if (trade == t) return weight;
    }
    return 0;
  };
  if (category == "lift") {
    return w({{Trade::kProperty, 10},
              {Trade::kCatering, 2},
              {Trade::kHealthCare, 3},
              {Trade::kPublic, 3},
              {Trade::kMarket, 2},
              {Trade::kScenic, 1},
              {Trade::kMachinery, 1},
              {Trade::kTcmPharma, 1},
              {Trade::kFoodFactory, 1}});
  }
  if (category == "boiler") {
    return w({{Trade::kFoodFactory, 3},
              {Trade::kTcmPharma, 3},
              {Trade::kHealthCare, 2},
              {Trade::kPublic, 2},
              {Trade::kCatering, 1},
              {Trade::kMaterials, 1},
              {Trade::kDendrobium, 1}});
  }
  if (category == "pressure_vessel") {
    return w({{Trade::kMachinery, 4},
              {Trade::kFoodFactory, 3},
              {Trade::kGas, 3},
              {Trade::kHealthCare, 2},
              {Trade::kPublic, 2},
              {Trade::kMaterials, 2},
              {Trade::kCable, 1},
              {Trade::kTcmPharma, 2}});
  }
  if (category == "gas_cylinder") {
    return w({{Trade::kGas, 8}, {Trade::kHealthCare, 1}, {Trade::kCatering, 2}});
  }
  if (category == "crane") {
    return w({{Trade::kMachinery, 5}, {Trade::kCable, 3}, {Trade::kMaterials, 4}});
  }
  if (category == "in_plant_vehicle") {
    return w({{Trade::kMachinery, 4},
              {Trade::kMaterials, 3},
              {Trade::kCable, 2},
              {Trade::kMarket, 2},
              {Trade::kFoodFactory, 2},
              {Trade::kScenic, 2},
              {Trade::kTea, 1}});
  }
  if (category == "pressure_piping") {
    return w(
        {{Trade::kGas, 6}, {Trade::kTcmPharma, 2}, {Trade::kFoodFactory, 1}, {Trade::kPublic, 1}});
  }
  if (category == "amusement_ride" || category == "passenger_ropeway") {
    return w({{Trade::kScenic, 1}});
  }
  return 0;
}

// ---- Fixed texts ----

const std::vector<const char*> kSurnames = {"张", "王", "李", "刘", "陈", "杨", "黄", "赵",
                                            "吴", "周", "徐", "孙", "胡", "朱", "高", "林",
                                            "何", "郭", "马", "汪", "储", "程", "余", "方"};
const std::vector<const char*> kPhonePrefixes = {"139", "138", "137", "136", "150", "151",
                                                 "158", "186", "187", "188", "189", "177",
                                                 "180", "181", "133", "153"};

const std::vector<const char*> kNotAcceptedGrounds = {
    "不属于市场监督管理部门职责范围，已告知投诉人向有关部门反映",
    "投诉人不能提供被投诉人的名称、地址等有效信息",
    "同一投诉已由其他市场监督管理部门受理",
    "超过法定投诉时效（自知道或者应当知道权益受到侵害之日起超过三年）",
    "投诉人无法证明与被投诉人之间存在消费者权益争议",
    "没有明确的投诉请求、事实和理由",
    "被投诉人不在本行政区域内，已告知投诉人向有管辖权的部门投诉"};

const std::vector<const char*> kTerminationReasons = {"投诉人撤回投诉", "被投诉人明确拒绝调解",
                                                      "经组织调解，双方明确表示无法达成调解协议",
                                                      "投诉人无正当理由不参加调解"};
constexpr const char* kTerminatedOverdue = "自投诉受理之日起四十五个工作日内未能达成调解协议";

const std::vector<const char*> kObjectionGrounds = {
    "抽样人员未出示执法证件，抽样程序不规范", "抽样单记录的样品数量与实际抽取数量不符",
    "样品封存不规范，封条未经被抽样单位签字确认", "抽样基数不足，不符合抽样细则要求",
    "被抽样产品非本单位生产，系他人冒用本单位名称"};

const std::vector<const char*> kRetestRejections = {
    "复检备份样品已超过保质期，不具备复检条件",
    "申请人未按规定提交复检申请材料，经告知后逾期未补正"};

const std::vector<const char*> kRetestDecisionReasons = {"申请材料齐全，符合复检条件",
                                                         "申请在法定期限内提出，予以受理"};

// ---- Records the generator keeps ----

struct Entity {
  std::string uscc, name, township, address, industry;
  Trade trade = Trade::kRetail;
  int line = -1;  // product line index, when the trade has lines
  bool registered = false;
  bool licensed = false;
};

struct Unit {
  std::string code, category, registration_no, township;
  int user = -1;
  CivilDate registered_on;
  std::string status = "in_use";
  bool registered = false;
  bool locked = false;  // an event entered in error awaits its void
  CivilDate scrap_day{9999, 12, 31};
};

struct Licence {
  std::string no;
  int holder = -1;
  CivilDate valid_from, valid_to;
  bool revoked = false;
};

struct Typo {
  Json wrong;  // the payload as entered
  Json fix;    // correction values restoring the truth
  std::string field;
};

// Seasonal factors (percent) by month, January first.
constexpr std::array<int, 12> kSamplingSeason = {110, 60, 100, 115, 120, 110,
                                                 100, 95, 110, 90,  100, 90};
constexpr std::array<int, 12> kComplaintSeason = {120, 130, 95, 95,  105, 100,
                                                  100, 100, 95, 115, 100, 95};

// A code point count-aware shortening of a text: drops the last `n` characters.
std::string drop_last_chars(const std::string& s, int n) {
  std::size_t end = s.size();
  for (int i = 0; i < n && end > 0; ++i) {
    --end;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  }
  return s.substr(0, end);
}

std::size_t char_count(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

struct DemoHistory::Impl {
  explicit Impl(const DemoOptions& options);

  DemoOptions opt;
  Dice dice;
  WorkingDayCalendar calendar = WorkingDayCalendar::built_in();
  CivilDate today;
  bool started = false;
  bool finished = false;
  std::deque<AppendRequest> out;
  std::uint64_t last_seq = 0;
  std::uint64_t produced = 0;
  std::map<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> steps;
  std::uint64_t step_order = 0;
  std::int64_t period_days = 1;

  std::vector<Entity> entities;
  std::set<std::string> usccs, names;
  std::array<std::vector<int>, kPoolCount> pools;
  std::map<std::string, std::vector<int>> user_pools;  // equipment category -> entity ids
  std::vector<Unit> units;
  std::set<std::string> unit_codes;
  std::map<std::string, std::vector<int>> units_by_category;
  std::vector<Licence> licences;
  std::set<std::string> licence_nos;
  std::map<std::string, int> counters;
  std::vector<std::string> manufacturers;

  // ---- calendar ----

  bool working(CivilDate d) const {
    return calendar.covers(d.year()) ? calendar.is_working_day(d) : !d.is_weekend();
  }
  CivilDate add_working(CivilDate d, int n) const {
    for (int k = 0; k < n;) {
      d = d.plus_days(1);
      if (working(d)) ++k;
    }
    return d;
  }
  CivilDate next_working(CivilDate d) const {
    while (!working(d)) d = d.plus_days(1);
    return d;
  }
  std::int64_t per_day_milli(std::int64_t per_year, int factor_percent = 100) const {
    return per_year * opt.scale * 1000 * factor_percent / 100 / 365;
  }
  // Chance (per mille) that something with a yearly rate happens within the period.
  int over_period(int yearly_permille) const {
    return static_cast<int>(std::min<std::int64_t>(1000, yearly_permille * period_days / 365));
  }
  CivilDate random_day(CivilDate from, CivilDate to) {
    if (to < from) return from;
    return from.plus_days(dice.between64(0, days_between(from, to)));
  }
  int next_number(const std::string& series) { return ++counters[series]; }

  // ---- scheduling and emitting ----

  void at(CivilDate day, std::function<void()> step) {
    if (day > opt.end) return;  // beyond the history: never happens
    if (day < today) day = today;
    steps.emplace(std::make_pair(day.days_since_epoch(), ++step_order), std::move(step));
  }

  std::uint64_t emit(const std::string& kind, Json payload, const std::string& actor,
                     bool may_correct = true) {
    std::optional<Typo> typo;
    if (may_correct && opt.correction_permille > 0) {
      const auto fields = typo_fields(kind, payload);
      // Kinds without a correctable field are about a fifth of the events: the rest carry a
      // little more than the configured share so that the overall share matches it.
      if (!fields.empty() && dice.permille(std::min(1000, opt.correction_permille * 5 / 4))) {
        const std::string field = dice.pick(fields);
        if (auto wrong = wrong_value(kind, payload, field, 0)) {
          Typo t;
          t.field = field;
          t.wrong = payload;
          t.wrong[field] = *wrong;
          t.fix = Json::object();
          t.fix[field] = payload[field];
          typo = std::move(t);
        }
      }
    }
    const std::uint64_t seq = ++last_seq;
    out.push_back(AppendRequest{kind, actor, typo ? typo->wrong : payload});
    if (typo) schedule_correction(seq, kind, payload, std::move(*typo), actor);
    return seq;
  }

  void emit_void(std::uint64_t target, const std::string& kind, const std::string& reason) {
    Json p = Json::object();
    p["target_seq"] = target;
    p["target_kind"] = kind;
    p["reason"] = reason;
    emit("void", std::move(p), "supervisor-01", false);
  }

  std::string field_label(const std::string& kind, const std::string& field) const {
    const KindSpec* spec = EventSchema::builtin().find(kind);
    const FieldSpec* f = spec != nullptr ? spec->field(field) : nullptr;
    return f != nullptr ? f->zh : field;
  }

  void schedule_correction(std::uint64_t target, const std::string& kind, const Json& truth,
                           Typo typo, const std::string& actor) {
    const CivilDate day = today.plus_days(dice.between(1, 25));
    std::optional<Json> wrong_fix;
    if (opt.void_permille > 0 && dice.permille(std::min(1000, opt.void_permille * 8))) {
      auto second = wrong_value(kind, truth, typo.field, 1);
      if (second && *second != typo.wrong[typo.field] && *second != truth[typo.field]) {
        wrong_fix = Json::object();
        (*wrong_fix)[typo.field] = *second;
      }
    }
    const std::string label = field_label(kind, typo.field);
    at(day, [this, target, kind, fix = std::move(typo.fix), wrong_fix, label, actor]() {
      if (!wrong_fix) {
        emit_correction(target, kind, fix, label, actor);
        return;
      }
      const std::uint64_t wrong_seq = emit_correction(target, kind, *wrong_fix, label, actor);
      at(add_working(today, dice.between(1, 4)),
         [this, target, kind, fix, label, actor, wrong_seq]() {
           emit_void(wrong_seq, "correction", "更正内容有误（" + label + "），作废本次更正");
           emit_correction(target, kind, fix, label, actor);
         });
    });
  }

  std::uint64_t emit_correction(std::uint64_t target, const std::string& kind, const Json& values,
                                const std::string& label, const std::string& actor) {
    Json p = Json::object();
    p["target_seq"] = target;
    p["target_kind"] = kind;
    p["values"] = values;
    p["reason"] = label + "录入有误，依据原始凭证更正";
    return emit("correction", std::move(p), actor, false);
  }

  // ---- corrections: which fields can carry a slip, and the slip ----

  static std::vector<std::string> typo_fields(const std::string& kind, const Json& p) {
    static const std::map<std::string, std::vector<std::string>> kFields = {
        {"entity.registered", {"name", "address"}},
        {"entity.changed", {"address", "name"}},
        {"licence.granted", {"valid_to"}},
        {"licence.revoked", {"reason"}},
        {"equipment.registered", {"registration_no", "township", "registered_on"}},
        {"equipment.status_changed", {"reason"}},
        {"equipment.transferred", {"township"}},
        {"inspection.recorded", {"lab", "plan_level", "sampling_date", "failed_items", "category"}},
        {"retest.result", {"lab"}},
        {"retest.decided", {"reason"}},
        {"objection.filed", {"grounds"}},
        {"objection.decided", {"reason"}},
        {"incident.reported", {"direct_loss_yuan", "narrative", "minor_injuries"}},
        {"incident.closed", {"conclusion"}},
        {"complaint.received",
         {"amount_yuan", "channel", "respondent_name", "category", "summary"}},
        {"complaint.not_accepted", {"ground"}},
        {"complaint.mediation_succeeded", {"agreement"}},
        {"complaint.mediation_terminated", {"reason"}},
        {"complaint.closed", {"recovered_yuan"}},
    };
    std::vector<std::string> present;
    const auto it = kFields.find(kind);
    if (it == kFields.end()) return present;
    for (const auto& f : it->second) {
      if (p.contains(f)) present.push_back(f);
    }
    return present;
  }

  // A plausible slip in `field` of `truth` (variant 0 or 1 give different slips). Only slips that
  // no later rule depends on: texts, labels, amounts, and dates moved earlier.
  std::optional<Json> wrong_value(const std::string& kind, const Json& truth,
                                  const std::string& field, int variant) {
    const Json& v = truth[field];
    if (field == "lab") return Json(other_lab(truth.value("regime", "food"), v.get<std::string>()));
    if (field == "plan_level") {
      static const std::vector<std::string> kLevels = {"county", "municipal", "provincial",
                                                       "national"};
      std::string w;
      do {
        w = dice.pick(kLevels);
      } while (w == v.get<std::string>());
      return Json(w);
    }
    if (field == "township") {
      std::string w;
      do {
        w = townships()[dice.index(townships().size())].name;
      } while (w == v.get<std::string>());
      return Json(w);
    }
    if (field == "channel") {
      static const std::vector<std::string> kChannels = {"hotline_12315", "platform", "letter",
                                                         "walk_in", "transferred"};
      std::string w;
      do {
        w = dice.pick(kChannels);
      } while (w == v.get<std::string>());
      return Json(w);
    }
    if (field == "category" && kind == "complaint.received") {
      return Json(v.get<std::string>() == "goods" ? "services" : "goods");
    }
    if (field == "registered_on" || field == "sampling_date" || field == "valid_to") {
      const CivilDate d = *CivilDate::parse(v.get<std::string>());
      const int back =
          field == "sampling_date" ? dice.between(1, 9) + variant * 10 : (variant == 0 ? 365 : 30);
      // Earlier, so every rule comparing a later date with it still holds; but not out of the
      // period when the truth is in it.
      CivilDate wrong = d.plus_days(-back);
      if (d >= opt.start && wrong < opt.start) wrong = opt.start;
      if (wrong == d) return std::nullopt;
      return Json(wrong.to_string());
    }
    if (field == "direct_loss_yuan") {
      const auto loss = v.get<std::int64_t>();
      return Json(variant == 0 ? loss * 10 + (loss == 0 ? 1000 : 0) : loss + 1000);
    }
    if (field == "minor_injuries") return Json(v.get<std::int64_t>() + 1 + variant);
    if (field == "amount_yuan" || field == "recovered_yuan") {
      const std::string s = v.get<std::string>();
      const auto dot = s.find('.');
      std::int64_t fen = std::stoll(s.substr(0, dot)) * 100;
      if (dot != std::string::npos) fen += std::stoll(s.substr(dot + 1, 2));
      if (fen == 0) return Json(variant == 0 ? "100.00" : "50.00");
      return Json(
          yuan(variant == 0 ? fen * 10 : std::max<std::int64_t>(fen / 10 / 100 * 100, 100)));
    }
    if (field == "registration_no") {
      std::string s = v.get<std::string>();
      std::size_t pos = s.rfind('(');
      if (pos == std::string::npos || pos < 2) return std::nullopt;
      pos -= 1 + static_cast<std::size_t>(variant);
      if (s[pos] < '0' || s[pos] > '9') return std::nullopt;
      s[pos] = static_cast<char>('0' + (s[pos] - '0' + 1) % 10);
      return Json(s);
    }
    if (field == "failed_items") {
      Json items = v;
      std::string measured = items[0]["measured"].get<std::string>();
      const auto dot = measured.find('.');
      if (dot != std::string::npos && variant == 0) {
        measured.erase(dot, 1);  // the decimal point left out
      } else if (!measured.empty() && measured[0] >= '0' && measured[0] <= '9') {
        measured.insert(0, "1");
      } else {
        return std::nullopt;
      }
      items[0]["measured"] = measured;
      return items;
    }
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (char_count(s) < 6) return std::nullopt;
      return Json(drop_last_chars(s, 1 + variant));  // the end of the text cut off
    }
    return std::nullopt;
  }

  // ---- labs ----

  std::vector<std::string> labs_for(const std::string& regime, const std::string& level) const {
    if (regime == "food") {
      if (level == "national" || level == "provincial") {
        return {"安徽省食品药品检验研究院", "安徽省产品质量监督检验研究院"};
      }
      if (level == "municipal") return {"六安市食品药品检验中心"};
      return {"霍山县食品药品检验检测中心", "六安市食品药品检验中心"};
    }
    if (regime == "agri") {
      if (level == "national" || level == "provincial") {
        return {"安徽省农产品质量安全检测中心"};
      }
      if (level == "municipal") return {"六安市农产品质量安全检测中心"};
      return {"霍山县农产品质量安全检测站"};
    }
    if (level == "national") return {"国家电线电缆产品质量检验检测中心（安徽）"};
    if (level == "provincial") return {"安徽省产品质量监督检验研究院"};
    return {"六安市产品质量监督检验所"};
  }
  std::string other_lab(const std::string& regime, const std::string& lab) {
    static const std::map<std::string, std::vector<std::string>> kAll = {
        {"food",
         {"安徽省食品药品检验研究院", "安徽省产品质量监督检验研究院", "六安市食品药品检验中心",
          "合肥市食品药品检验中心", "江苏省产品质量监督检验研究院"}},
        {"agri",
         {"安徽省农产品质量安全检测中心", "六安市农产品质量安全检测中心",
          "合肥市农产品质量安全检测中心"}},
        {"product",
         {"安徽省产品质量监督检验研究院", "六安市产品质量监督检验所",
          "国家电线电缆产品质量检验检测中心（安徽）", "合肥市产品质量监督检验所"}}};
    const auto& list = kAll.at(kAll.count(regime) != 0 ? regime : "food");
    std::string w;
    do {
      w = dice.pick(list);
    } while (w == lab);
    return w;
  }

  // ---- entities ----

  std::string township_for(const TradeSpec& spec) {
    if (!spec.townships.empty() && dice.permille(650)) return dice.pick(spec.townships);
    std::vector<int> w;
    for (const auto& t : townships()) w.push_back(t.weight);
    return townships()[dice.weighted(w)].name;
  }

  std::string trade_name() {
    if (dice.permille(700)) return dice.pick(trade_names());
    const std::size_t n = kNameChars.size() / 3;
    return std::string(kNameChars.substr(dice.index(n) * 3, 3)) +
           std::string(kNameChars.substr(dice.index(n) * 3, 3));
  }

  std::string make_name(const std::string& county, const NameForm& form,
                        const std::string& township) {
    for (int attempt = 0;; ++attempt) {
      std::string name;
      if (std::string(form.kind) == "12") {
        name = county + township + (attempt < 3 ? "" : trade_name()) + form.ending;
      } else if (std::string(form.kind) == "92") {
        name = county + township + trade_name() + form.ending;
      } else {
        name = county + trade_name() + form.ending;
      }
      if (names.insert(name).second) return name;
    }
  }

  std::string make_uscc(const std::string& kind, const std::string& division) {
    const std::string_view alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (;;) {
      std::string s = kind + division;
      if (kind == "12" || (kind == "91" && dice.permille(400))) {
        for (int i = 0; i < 8; ++i) s += static_cast<char>('0' + dice.between(0, 9));
        s += alphabet[dice.index(alphabet.size())];  // an old organisation code
      } else {
        s += "MA2";
        for (int i = 0; i < 6; ++i) s += alphabet[dice.index(alphabet.size())];
      }
      s += *uscc_check_char(s);
      if (usccs.insert(s).second) return s;
    }
  }

  std::string make_address(Trade trade, const std::string& township) {
    const std::string word = dice.pick(trade_names());
    switch (trade) {
      case Trade::kMachinery:
      case Trade::kCable:
      case Trade::kMaterials:
      case Trade::kFoodFactory:
      case Trade::kTcmPharma:
        if (township == "衡山镇" || township == "下符桥镇") {
          return "霍山经济开发区" + word + "路" + std::to_string(dice.between(1, 260)) + "号";
        }
        return township + "工业集中区" + word + "路" + std::to_string(dice.between(1, 60)) + "号";
      case Trade::kTea:
      case Trade::kDendrobium:
      case Trade::kHuangjing:
      case Trade::kFarm:
      case Trade::kScenic:
        return township + word + "村" + std::to_string(dice.between(1, 14)) + "组";
      default:
        return township + word + (dice.permille(500) ? "路" : "街") +
               std::to_string(dice.between(1, 300)) + "号";
    }
  }

  int create_entity(Trade trade, bool stray = false) {
    const TradeSpec& spec = spec_of(trade);
    Entity e;
    e.trade = trade;
    e.industry = spec.industry;
    NameForm form{"", "91"};
    if (!spec.lines.empty()) {
      e.line = static_cast<int>(dice.index(spec.lines.size()));
      form = NameForm{spec.lines[static_cast<std::size_t>(e.line)].ending, "91"};
    } else {
      form = dice.pick(spec.forms);
    }
    if (stray) {
      e.township = "城关镇";
      e.name = make_name("舒城县", form, e.township);
      e.uscc = make_uscc(form.kind, "341523");
      e.address = "舒城县城关镇" + std::string(dice.pick(trade_names())) + "路" +
                  std::to_string(dice.between(1, 200)) + "号";
    } else {
      e.township = township_for(spec);
      e.name = make_name("霍山县", form, e.township);
      e.uscc = make_uscc(form.kind, "341525");
      e.address = make_address(trade, e.township);
    }
    entities.push_back(std::move(e));
    return static_cast<int>(entities.size() - 1);
  }

  void register_entity(int index, bool may_correct = true) {
    Entity& e = entities[static_cast<std::size_t>(index)];
    Json p = Json::object();
    p["uscc"] = e.uscc;
    p["name"] = e.name;
    p["township"] = e.township;
    p["industry"] = e.industry;
    p["address"] = e.address;
    emit("entity.registered", std::move(p), "registry-0" + std::to_string(dice.between(1, 2)),
         may_correct);
    e.registered = true;
  }

  void add_to_pools(int index) {
    const Entity& e = entities[static_cast<std::size_t>(index)];
    for (int pool = 0; pool < kPoolCount; ++pool) {
      const int w = pool_weight(static_cast<Pool>(pool), e.trade);
      for (int i = 0; i < w; ++i) pools[static_cast<std::size_t>(pool)].push_back(index);
    }
    const bool individual = e.uscc.compare(0, 2, "92") == 0;
    for (const auto& c : equipment_categories()) {
      // Individual businesses (个体工商户) hold gas cylinders at most.
      if (individual && std::string(c.code) != "gas_cylinder") continue;
      const int w = user_weight(c.code, e.trade);
      for (int i = 0; i < w; ++i) user_pools[c.code].push_back(index);
    }
  }

  int new_entity() {
    std::vector<int> w;
    for (const auto& t : trades()) w.push_back(t.baseline);
    const int index = create_entity(static_cast<Trade>(dice.weighted(w)));
    register_entity(index);
    add_to_pools(index);
    return index;
  }

  // ---- licences ----

  const char* sc_category(const Entity& e) const {
    const TradeSpec& spec = spec_of(e.trade);
    if (e.line >= 0) return spec.lines[static_cast<std::size_t>(e.line)].sc;
    return spec.sc;
  }
  bool licensable(const Entity& e) const {
    return spec_of(e.trade).licence_permille > 0 || (e.line >= 0 && *sc_category(e) != '\0');
  }

  void grant_licence(int holder, CivilDate valid_from) {
    Entity& e = entities[static_cast<std::size_t>(holder)];
    const char* sc = sc_category(e);
    if (*sc == '\0' || e.licensed) return;
    std::string no;
    do {
      no = std::string("SC") + sc + "341525" + padded(dice.between(1, 9999), 4) +
           std::to_string(dice.between(0, 9));
    } while (!licence_nos.insert(no).second);
    Licence l;
    l.no = no;
    l.holder = holder;
    l.valid_from = valid_from;
    l.valid_to = add_years(valid_from, 5).plus_days(-1);
    Json p = Json::object();
    p["licence_no"] = l.no;
    p["uscc"] = e.uscc;
    p["valid_from"] = l.valid_from.to_string();
    p["valid_to"] = l.valid_to.to_string();
    emit("licence.granted", std::move(p), "registry-01");
    e.licensed = true;
    // Licence holders are sampled more often (the plan's 100 % coverage target).
    for (int i = 0; i < 4; ++i) pools[kFoodPool].push_back(holder);
    licences.push_back(l);
    plan_licence(licences.size() - 1);
  }

  void plan_licence(std::size_t li) {
    const Licence& l = licences[li];
    std::optional<CivilDate> revoke_day;
    std::string revoke_reason;
    if (l.valid_to <= opt.end) {
      if (dice.permille(850)) {
        CivilDate day = l.valid_to.plus_days(-dice.between(10, 60));
        if (day <= today) day = today.plus_days(1);
        at(next_working(day), [this, li]() {
          Licence& lic = licences[li];
          if (lic.revoked) return;
          lic.valid_to = add_years(lic.valid_to, 5);
          Json p = Json::object();
          p["licence_no"] = lic.no;
          p["valid_to"] = lic.valid_to.to_string();
          emit("licence.renewed", std::move(p), "registry-01");
        });
      } else {
        revoke_day = next_working(l.valid_to.plus_days(dice.between(5, 40)));
        revoke_reason = "许可有效期届满未申请延续，依法注销";
      }
    }
    if (!revoke_day && dice.permille(over_period(25))) {
      revoke_day = next_working(random_day(today.plus_days(30), opt.end));
      static const std::vector<const char*> kReasons = {"企业申请注销（停止食品生产）",
                                                        "生产场所迁出本县，申请注销",
                                                        "违法生产经营，被依法吊销食品生产许可证"};
      revoke_reason = dice.pick(kReasons);
    }
    if (revoke_day) {
      at(*revoke_day, [this, li, revoke_reason]() {
        Licence& lic = licences[li];
        if (lic.revoked) return;
        lic.revoked = true;
        entities[static_cast<std::size_t>(lic.holder)].licensed = false;
        Json p = Json::object();
        p["licence_no"] = lic.no;
        p["revoked_on"] = today.to_string();
        p["reason"] = revoke_reason;
        emit("licence.revoked", std::move(p), "registry-01");
      });
    }
  }

  // ---- special equipment ----

  const CategoryInfo& category_info(const std::string& code) const {
    for (const auto& c : equipment_categories()) {
      if (code == c.code) return c;
    }
    throw std::logic_error("demo: unknown equipment category");
  }

  void create_unit(const std::string& category, bool baseline) {
    const auto pool = user_pools.find(category);
    if (pool == user_pools.end() || pool->second.empty()) return;
    const CategoryInfo& info = category_info(category);
    Unit u;
    u.category = category;
    u.user = dice.pick(pool->second);
    const Entity& user = entities[static_cast<std::size_t>(u.user)];
    u.township = dice.permille(900) ? user.township : township_for(spec_of(user.trade));
    u.registered_on = baseline ? opt.start.plus_days(-dice.between(30, 18 * 365)) : today;
    std::vector<int> w;
    for (const auto& v : info.varieties) w.push_back(v.weight);
    std::string variety = info.varieties[dice.weighted(w)].name;
    if (category == "in_plant_vehicle" && user.trade == Trade::kScenic) variety = "5210";
    const int year = u.registered_on.year() - (dice.permille(300) ? 1 : 0);
    do {
      u.code = variety + dice.pick(manufacturers) + std::to_string(year) +
               padded(dice.between(1, 99999), 5);
    } while (!unit_codes.insert(u.code).second);
    u.registration_no = std::string(info.reg_char) + "10皖N" +
                        padded(next_number(std::string("reg/") + category), 5) + "(" +
                        padded(u.registered_on.year() % 100, 2) + ")";
    Json p = Json::object();
    p["equipment_code"] = u.code;
    p["registration_no"] = u.registration_no;
    p["category"] = u.category;
    p["user_uscc"] = user.uscc;
    p["township"] = u.township;
    p["registered_on"] = u.registered_on.to_string();
    emit("equipment.registered", std::move(p), "tzsb-0" + std::to_string(dice.between(1, 2)));
    u.registered = true;
    units.push_back(std::move(u));
    const int ui = static_cast<int>(units.size() - 1);
    units_by_category[category].push_back(ui);
    plan_unit(ui);
  }

  void change_status(int ui, const std::string& status, const std::string& reason,
                     bool may_correct = true) {
    Unit& u = units[static_cast<std::size_t>(ui)];
    Json p = Json::object();
    p["equipment_code"] = u.code;
    p["status"] = status;
    p["effective_on"] = today.to_string();
    p["reason"] = reason;
    emit("equipment.status_changed", std::move(p), "tzsb-01", may_correct);
    u.status = status;
  }

  void plan_unit(int ui) {
    Unit& u = units[static_cast<std::size_t>(ui)];
    const CivilDate first = today.plus_days(1);
    if (dice.permille(over_period(40))) {
      const CivilDate s = next_working(random_day(first, opt.end));
      static const std::vector<const char*> kSuspend = {"使用单位申请停用（停产）",
                                                        "定期检验不合格，停用整改",
                                                        "维修改造，暂停使用", "季节性停用"};
      at(s, [this, ui, reason = std::string(dice.pick(kSuspend))]() {
        const Unit& unit = units[static_cast<std::size_t>(ui)];
        if (unit.status != "in_use" || unit.locked) return;
        change_status(ui, "suspended", reason);
      });
      const int after = static_cast<int>(dice.below(100));
      if (after < 50) {
        static const std::vector<const char*> kResume = {"整改完成，经检验合格，恢复使用",
                                                         "维修改造完成，恢复使用"};
        at(next_working(s.plus_days(dice.between(30, 200))),
           [this, ui, reason = std::string(dice.pick(kResume))]() {
             const Unit& unit = units[static_cast<std::size_t>(ui)];
             if (unit.status != "suspended" || unit.locked) return;
             change_status(ui, "in_use", reason);
           });
      } else if (after < 75) {
        plan_scrap(ui, next_working(s.plus_days(dice.between(10, 150))));
      }
    }
    if (dice.permille(over_period(15))) plan_scrap(ui, next_working(random_day(first, opt.end)));
    if (dice.permille(over_period(20))) {
      const CivilDate t = next_working(random_day(first, opt.end));
      if (t < u.scrap_day) {
        at(t, [this, ui]() {
          Unit& unit = units[static_cast<std::size_t>(ui)];
          if (unit.status == "scrapped" || unit.locked) return;
          const auto& pool = user_pools[unit.category];
          int user = unit.user;
          for (int i = 0; i < 10 && user == unit.user; ++i) user = dice.pick(pool);
          if (user == unit.user) return;
          const Entity& e = entities[static_cast<std::size_t>(user)];
          Json p = Json::object();
          p["equipment_code"] = unit.code;
          p["new_user_uscc"] = e.uscc;
          if (e.township != unit.township && dice.permille(700)) {
            p["township"] = e.township;
            unit.township = e.township;
          }
          p["effective_on"] = today.to_string();
          emit("equipment.transferred", std::move(p), "tzsb-01");
          unit.user = user;
        });
      }
    }
  }

  void plan_scrap(int ui, CivilDate day) {
    Unit& u = units[static_cast<std::size_t>(ui)];
    if (day > opt.end) return;
    u.scrap_day = std::min(u.scrap_day, day);
    static const std::vector<const char*> kScrap = {
        "达到设计使用年限，申请报废", "设备老化，维修价值低，申请报废", "企业搬迁，设备拆除报废"};
    at(day, [this, ui, reason = std::string(dice.pick(kScrap))]() {
      const Unit& unit = units[static_cast<std::size_t>(ui)];
      if (unit.status == "scrapped" || unit.locked) return;
      change_status(ui, "scrapped", reason);
    });
  }

  // A status change entered against the wrong unit, voided a few days later.
  void wrong_unit_status() {
    const auto& lifts = units_by_category["lift"];
    if (lifts.empty()) return;
    const int ui = dice.pick(lifts);
    Unit& u = units[static_cast<std::size_t>(ui)];
    if (u.status != "in_use" || u.locked || u.scrap_day <= today.plus_days(15)) return;
    const std::uint64_t seq = [&] {
      change_status(ui, "suspended", "使用单位申请停用", false);
      return last_seq;
    }();
    u.locked = true;
    at(add_working(today, dice.between(1, 4)), [this, ui, seq]() {
      emit_void(seq, "equipment.status_changed", "设备代码录入错误，该设备实际未停用，作废本条");
      Unit& unit = units[static_cast<std::size_t>(ui)];
      unit.status = "in_use";
      unit.locked = false;
    });
  }

  // ---- sampling inspections ----

  struct Batch {
    std::string sample_no, regime, level, category, uscc, lab, conclusion;
    CivilDate sampled, result;
    std::optional<CivilDate> notified;
    Json items = Json::array();
    bool micro = false;
  };

  std::string measured_text(const ItemSpec& item) {
    if (item.lo == 0 && item.hi == 0) return item.text;
    return decimal(dice.between(item.lo, item.hi), item.decimals) + item.text;
  }

  Json failed_items(const CategorySpec& cat, bool& micro) {
    Json items = Json::array();
    std::vector<std::size_t> chosen = {dice.index(cat.items.size())};
    if (cat.items.size() > 1 && dice.permille(200)) {
      std::size_t second = dice.index(cat.items.size());
      if (second != chosen[0]) chosen.push_back(second);
    }
    micro = false;
    for (std::size_t i : chosen) {
      const ItemSpec& spec = cat.items[i];
      Json item = Json::object();
      item["item"] = spec.item;
      item["measured"] = measured_text(spec);
      item["limit"] = spec.limit;
      if (*spec.unit != '\0') item["unit"] = spec.unit;
      item["standard"] = spec.standard;
      if (spec.micro) {
        item["microbiological"] = true;
        micro = true;
      }
      items.push_back(std::move(item));
    }
    return items;
  }

  void new_batch() {
    static const std::vector<std::string> kRegimes = {"food", "agri", "product"};
    const std::string regime = kRegimes[dice.weighted({800, 400, 300})];
    const Pool pool = regime == "food" ? kFoodPool : regime == "agri" ? kAgriPool : kProductPool;
    const auto& candidates = pools[pool];
    if (candidates.empty()) return;
    const int ei = dice.pick(candidates);
    const Entity& e = entities[static_cast<std::size_t>(ei)];
    std::vector<WeightedName> options = sampled_categories(e.trade, regime);
    if (e.line >= 0)
      options.push_back({spec_of(e.trade).lines[static_cast<std::size_t>(e.line)].category, 3});
    if (options.empty()) return;
    std::vector<int> w;
    for (const auto& o : options) w.push_back(o.weight);
    const CategorySpec& cat = category_named(options[dice.weighted(w)].name);

    auto b = std::make_shared<Batch>();
    b->regime = regime;
    b->category = cat.name;
    b->uscc = e.uscc;
    static const std::vector<std::string> kLevels = {"national", "provincial", "municipal",
                                                     "county"};
    const std::vector<int> level_weights = regime == "food"   ? std::vector<int>{6, 18, 26, 50}
                                           : regime == "agri" ? std::vector<int>{3, 10, 27, 60}
                                                              : std::vector<int>{10, 35, 25, 30};
    b->level = kLevels[dice.weighted(level_weights)];
    std::vector<std::string> labs = labs_for(regime, b->level);
    if (regime == "product" && b->level == "national" && cat.name != std::string("电线电缆")) {
      labs = {"安徽省产品质量监督检验研究院"};
    }
    b->lab = dice.pick(labs);
    b->sampled = today;
    const int lag = regime == "food"   ? dice.between(8, 25)
                    : regime == "agri" ? dice.between(3, 12)
                                       : dice.between(15, 40);
    b->result = next_working(today.plus_days(lag));
    b->conclusion = dice.permille(cat.fail_permille) ? "fail" : "pass";
    CivilDate recorded = add_working(b->result, dice.between(0, 2));
    if (b->conclusion == "fail") {
      b->items = failed_items(cat, b->micro);
      const CivilDate notified = add_working(b->result, dice.between(1, 4));
      if (dice.permille(900)) b->notified = notified;
      recorded = notified;
    }
    const char* prefix = regime == "food" ? "SP" : regime == "agri" ? "NP" : "CP";
    const char* level_letter = b->level == "national"     ? "N"
                               : b->level == "provincial" ? "P"
                               : b->level == "municipal"  ? "M"
                                                          : "C";
    const std::string series =
        std::string(prefix) + "-" + std::to_string(today.year()) + "-" + level_letter;
    b->sample_no = series + "-" + padded(next_number(series), 5);
    at(recorded, [this, b]() { record_batch(b); });
  }

  Json batch_payload(const Batch& b, const std::string& sample_no) const {
    Json p = Json::object();
    p["sample_no"] = sample_no;
    p["regime"] = b.regime;
    p["plan_level"] = b.level;
    p["category"] = b.category;
    p["uscc"] = b.uscc;
    p["sampling_date"] = b.sampled.to_string();
    p["result_date"] = b.result.to_string();
    p["lab"] = b.lab;
    p["conclusion"] = b.conclusion;
    if (b.notified) p["notified_on"] = b.notified->to_string();
    if (b.conclusion == "fail") p["failed_items"] = b.items;
    return p;
  }

  std::string sampler() { return "sampling-0" + std::to_string(dice.between(1, 4)); }

  void record_batch(const std::shared_ptr<Batch>& b) {
    // A sample number typed with the letter O for a zero: void it, record it again.
    const auto zero = b->sample_no.find('0', b->sample_no.rfind('-'));
    if (zero != std::string::npos && opt.void_permille > 0 && dice.permille(opt.void_permille)) {
      std::string wrong = b->sample_no;
      wrong[zero] = 'O';
      const std::uint64_t seq =
          emit("inspection.recorded", batch_payload(*b, wrong), sampler(), false);
      at(add_working(today, dice.between(1, 3)), [this, b, seq]() {
        emit_void(seq, "inspection.recorded",
                  "抽样单编号录入错误（应为 " + b->sample_no + "），作废后重新录入");
        emit("inspection.recorded", batch_payload(*b, b->sample_no), sampler());
        plan_batch(b);
      });
      return;
    }
    emit("inspection.recorded", batch_payload(*b, b->sample_no), sampler());
    plan_batch(b);
  }

  void plan_batch(const std::shared_ptr<Batch>& b) {
    const bool fail = b->conclusion == "fail";
    const CivilDate base = b->notified.value_or(b->result);
    const int retest_permille = b->regime == "food" ? 300 : b->regime == "agri" ? 200 : 250;
    if (fail && !b->micro && dice.permille(retest_permille)) {
      const auto window = retest_window_end(b->regime, base, calendar);
      const CivilDate from = std::max(base, today);
      if (window && from <= *window) {
        CivilDate applied = random_day(from, *window);
        if (!working(applied) && applied > from) applied = applied.plus_days(-1);
        at(applied, [this, b, applied]() { apply_retest(b, applied); });
      }
    }
    if (dice.permille(fail ? 80 : 4)) {
      const CivilDate filed = std::max(add_working(base, dice.between(1, 6)), today);
      at(filed, [this, b, filed]() {
        Json p = Json::object();
        p["sample_no"] = b->sample_no;
        p["filed_on"] = filed.to_string();
        p["grounds"] = dice.pick(kObjectionGrounds);
        emit("objection.filed", std::move(p), sampler());
        const CivilDate decided = add_working(filed, dice.between(4, 12));
        at(decided, [this, b, decided]() {
          const bool upheld = dice.permille(150);
          Json q = Json::object();
          q["sample_no"] = b->sample_no;
          q["decided_on"] = decided.to_string();
          q["upheld"] = upheld;
          q["reason"] = upheld ? "经核查，抽样单记录确有错误，异议成立，已组织重新抽样"
                               : "经核查，抽样程序符合抽样细则规定，异议不成立";
          emit("objection.decided", std::move(q), "supervisor-01");
        });
      });
    }
  }

  void apply_retest(const std::shared_ptr<Batch>& b, CivilDate applied) {
    Json p = Json::object();
    p["sample_no"] = b->sample_no;
    p["applied_on"] = applied.to_string();
    emit("retest.applied", std::move(p), sampler());
    const CivilDate decided = add_working(applied, dice.between(1, 5));
    at(decided, [this, b, decided]() {
      const bool accepted = dice.permille(900);
      Json q = Json::object();
      q["sample_no"] = b->sample_no;
      q["decided_on"] = decided.to_string();
      q["accepted"] = accepted;
      q["reason"] = accepted ? dice.pick(kRetestDecisionReasons) : dice.pick(kRetestRejections);
      emit("retest.decided", std::move(q), "supervisor-01");
      if (!accepted) return;
      const CivilDate result = add_working(decided, dice.between(8, 20));
      at(result, [this, b, result]() {
        const bool pass = dice.permille(350);
        Json r = Json::object();
        r["sample_no"] = b->sample_no;
        r["result_date"] = result.to_string();
        r["lab"] = other_lab(b->regime, b->lab);
        r["conclusion"] = pass ? "pass" : "fail";
        if (!pass) {
          Json items = b->items;
          const CategorySpec& cat = category_named(b->category);
          for (auto& item : items) {
            for (const auto& spec : cat.items) {
              if (item["item"] == spec.item) item["measured"] = measured_text(spec);
            }
          }
          r["failed_items"] = std::move(items);
        }
        emit("retest.result", std::move(r), sampler());
      });
    });
  }

  // ---- complaints ----

  struct Topic {
    const char* category;  // goods | services
    const char* summary;
    int lo, hi;            // amount in dispute, yuan (0, 0: none stated)
    int refusal_permille;  // chance it is not accepted
  };

  static const std::vector<Topic>& topics(std::optional<Trade> trade) {
    static const std::vector<Topic> kMarket = {
        {"goods", "在该店购买的酸奶已超过保质期，要求退货并按规定赔偿", 10, 80, 120},
        {"goods", "购买的散装糕点内发现异物，要求赔偿", 10, 60, 120},
        {"goods", "商品结算价格高于货架标示价格", 5, 50, 100},
        {"goods", "购买的预包装食品标签标注不规范，无生产日期", 20, 200, 150}};
    static const std::vector<Topic> kRetail = {
        {"goods", "购买的电动自行车电池续航严重不足，商家拒绝更换", 1500, 4000, 100},
        {"goods", "购买的电热水壶使用一周后出现漏电现象", 60, 200, 100},
        {"goods", "购买的空调安装后制冷效果差，要求退货", 2000, 6000, 120},
        {"goods", "购买的复合肥施用后作物出现烧苗，怀疑肥料质量不合格", 300, 5000, 150},
        {"goods", "购买的手机屏幕出现故障，商家以人为损坏为由拒绝保修", 800, 3500, 150}};
    static const std::vector<Topic> kCatering = {
        {"services", "在该店就餐后出现腹泻症状，要求赔偿医药费", 200, 1500, 150},
        {"services", "预订的宴席菜品与约定不符，要求退还部分费用", 1000, 5000, 120},
        {"services", "办理的储值卡余额商家拒绝退还", 300, 3000, 150},
        {"goods", "菜品中发现异物，要求赔偿", 50, 300, 100}};
    static const std::vector<Topic> kScenic = {
        {"services", "购票后因景区临时关闭未能游览，退票遭拒", 100, 600, 100},
        {"services", "游乐项目临时停运，景区不予退费", 50, 300, 100},
        {"services", "景区内商品未明码标价，结算价格过高", 20, 100, 150}};
    static const std::vector<Topic> kProperty = {
        {"services", "小区电梯频繁停梯，物业维修不及时", 0, 0, 250},
        {"services", "物业服务费收费标准与合同约定不符", 300, 2000, 300}};
    static const std::vector<Topic> kHealth = {
        {"services", "康养服务预付费用退费纠纷", 2000, 12000, 150},
        {"services", "理疗项目效果与宣传不符，要求退款", 500, 3000, 200}};
    static const std::vector<Topic> kLocalFood = {
        {"goods", "网购的霍山黄芽实物与宣传等级不符", 200, 1500, 120},
        {"goods", "购买的石斛枫斗净含量不足", 300, 3000, 120},
        {"goods", "购买的黄精礼盒内产品出现霉变", 100, 600, 100}};
    static const std::vector<Topic> kGas = {
        {"goods", "液化气钢瓶充装重量不足", 50, 150, 120},
        {"services", "燃气管道安装收费过高且未明码标价", 500, 3000, 200}};
    static const std::vector<Topic> kCable = {
        {"goods", "购买的电线绝缘层易破损，怀疑质量不合格", 200, 2000, 150}};
    static const std::vector<Topic> kMaterials = {
        {"goods", "购买的PPR水管安装后出现渗漏", 300, 3000, 150},
        {"goods", "购买的胶合板气味刺鼻，怀疑甲醛超标", 500, 4000, 150}};
    static const std::vector<Topic> kMachinery = {
        {"goods", "购买的农用水泵使用不久电机烧毁，厂家拒绝保修", 300, 1500, 150},
        {"goods", "购买的电焊机外壳漏电", 400, 1200, 150}};
    static const std::vector<Topic> kOther = {
        {"goods", "网购的服装存在质量问题，商家拒绝七日无理由退货", 100, 800, 200},
        {"goods", "购买的二手车存在隐瞒事故情况", 20000, 60000, 200},
        {"goods", "购买的普通食品宣称具有治疗功效", 500, 5000, 150},
        {"services", "美容美发店预付卡余额无法使用，经营者已停业", 1000, 8000, 200},
        {"services", "装修公司未按合同约定施工", 5000, 50000, 250},
        {"services", "汽车维修收费不透明，更换配件与报价不符", 500, 3000, 150},
        {"services", "健身房停业不退还会员费", 1000, 4000, 200},
        {"services", "职业技能培训机构拒不退还学费", 2000, 10000, 700}};
    if (!trade) return kOther;
    switch (*trade) {
      case Trade::kMarket:
        return kMarket;
      case Trade::kRetail:
        return kRetail;
      case Trade::kCatering:
        return kCatering;
      case Trade::kScenic:
        return kScenic;
      case Trade::kProperty:
        return kProperty;
      case Trade::kHealthCare:
      case Trade::kTcmPharma:
        return kHealth;
      case Trade::kTea:
      case Trade::kDendrobium:
      case Trade::kHuangjing:
      case Trade::kFoodFactory:
        return kLocalFood;
      case Trade::kGas:
        return kGas;
      case Trade::kMachinery:
        return kMachinery;
      case Trade::kCable:
        return kCable;
      case Trade::kMaterials:
        return kMaterials;
      default:
        return kOther;
    }
  }

  std::string unregistered_respondent(const Topic& topic) {
    static const std::vector<std::pair<std::string, const char*>> kShops = {
        {"服装", "服装店"},     {"二手车", "二手车行"},       {"食品", "保健食品店"},
        {"美容", "美容美发店"}, {"装修", "装饰工程有限公司"}, {"维修", "汽车维修服务部"},
        {"健身", "健身会所"},   {"培训", "职业培训学校"}};
    const std::string summary = topic.summary;
    const char* shop = "商行";
    for (const auto& [word, ending] : kShops) {
      if (summary.find(word) != std::string::npos) shop = ending;
    }
    if (summary.find("网购") != std::string::npos) {
      return "某电商平台店铺“" + std::string(dice.pick(trade_names())) + "旗舰店”";
    }
    const std::string township = townships()[dice.index(5)].name;
    return "霍山县" + township + trade_name() + shop;
  }

  Json complainant() {
    Json person = Json::object();
    person["name"] = std::string(dice.pick(kSurnames)) + (dice.permille(800) ? "某某" : "某");
    person["phone"] =
        std::string(dice.pick(kPhonePrefixes)) + "0000" + padded(dice.between(0, 9999), 4);
    return person;
  }

  std::string complaint_handler() { return "12315-0" + std::to_string(dice.between(1, 3)); }

  void new_complaint() {
    static const std::vector<std::string> kChannels = {"platform", "hotline_12315", "transferred",
                                                       "walk_in", "letter"};
    std::string channel = kChannels[dice.weighted({55, 30, 8, 5, 2})];
    if (!working(today) && (channel == "walk_in" || channel == "letter")) channel = "platform";
    std::optional<Trade> trade;
    std::string respondent_uscc, respondent_name;
    if (!pools[kComplaintPool].empty() && dice.permille(650)) {
      const Entity& e = entities[static_cast<std::size_t>(dice.pick(pools[kComplaintPool]))];
      trade = e.trade;
      respondent_uscc = e.uscc;
      respondent_name = e.name;
    }
    const Topic& topic = dice.pick(topics(trade));
    if (!trade) respondent_name = unregistered_respondent(topic);
    const std::string series = "TS" + yymmdd(today);
    const auto number = [&] { return series + "-" + padded(next_number(series), 4); };
    Json p = Json::object();
    p["complaint_no"] = number();
    p["received_on"] = today.to_string();
    p["channel"] = channel;
    if (!respondent_uscc.empty()) p["respondent_uscc"] = respondent_uscc;
    p["respondent_name"] = respondent_name;
    p["category"] = topic.category;
    std::int64_t amount_fen = 0;
    if (topic.hi > 0) {
      amount_fen = dice.between(topic.lo, topic.hi) * std::int64_t{100};
      if (dice.permille(300)) amount_fen += dice.between(1, 9) * 10;
      p["amount_yuan"] = yuan(amount_fen);
    }
    p["summary"] = topic.summary;
    const bool personal = dice.permille(920);
    if (personal) p["complainant"] = complainant();
    const std::string no = p["complaint_no"].get<std::string>();
    const std::string handler = complaint_handler();
    Json duplicate = p;
    emit("complaint.received", std::move(p), handler);
    // The same complaint registered twice (hotline and platform): the copy is voided.
    if (opt.void_permille > 0 && dice.permille(std::min(1000, opt.void_permille * 2))) {
      duplicate["complaint_no"] = number();
      const std::uint64_t seq = emit("complaint.received", std::move(duplicate), handler, false);
      at(add_working(today, dice.between(1, 3)), [this, seq, no]() {
        emit_void(seq, "complaint.received", "与投诉 " + no + " 重复登记，作废本条");
      });
    }
    plan_complaint(no, topic, amount_fen, personal);
  }

  void plan_complaint(const std::string& no, const Topic& topic, std::int64_t amount_fen,
                      bool personal) {
    const int r = static_cast<int>(dice.below(100));
    const CivilDate decided = add_working(today, r < 92   ? dice.between(1, 5)
                                                 : r < 97 ? dice.between(6, 7)
                                                          : dice.between(8, 12));
    if (dice.permille(topic.refusal_permille)) {
      const std::string ground =
          topic.refusal_permille >= 500 ? kNotAcceptedGrounds[0] : dice.pick(kNotAcceptedGrounds);
      at(decided, [this, no, decided, ground]() {
        Json p = Json::object();
        p["complaint_no"] = no;
        p["decided_on"] = decided.to_string();
        p["ground"] = ground;
        emit("complaint.not_accepted", std::move(p), complaint_handler());
      });
      return;
    }
    const bool entered_wrong =
        opt.void_permille > 0 && dice.permille(std::min(1000, opt.void_permille));
    at(decided, [this, no, decided, entered_wrong, amount_fen, personal]() {
      Json p = Json::object();
      p["complaint_no"] = no;
      p["decided_on"] = decided.to_string();
      if (!entered_wrong) {
        emit("complaint.accepted", std::move(p), complaint_handler());
        plan_mediation(no, decided, amount_fen, personal);
        return;
      }
      // Entered as "not accepted" by mistake; voided, then the acceptance recorded.
      Json wrong = p;
      wrong["ground"] = dice.pick(kNotAcceptedGrounds);
      const std::uint64_t seq =
          emit("complaint.not_accepted", std::move(wrong), complaint_handler(), false);
      at(add_working(today, dice.between(1, 2)),
         [this, no, decided, seq, p, amount_fen, personal]() {
           emit_void(seq, "complaint.not_accepted", "误将受理决定录入为不予受理，作废后重新录入");
           emit("complaint.accepted", p, complaint_handler());
           plan_mediation(no, decided, amount_fen, personal);
         });
    });
  }

  void plan_mediation(const std::string& no, CivilDate accepted, std::int64_t amount_fen,
                      bool personal) {
    const bool success = dice.permille(720);
    CivilDate ended;
    std::string reason;
    if (success) {
      ended = add_working(accepted, dice.between(2, 30));
    } else if (dice.permille(200)) {
      ended = add_working(accepted, dice.between(46, 48));
      reason = kTerminatedOverdue;
    } else {
      ended = add_working(accepted, dice.between(5, 40));
      reason = dice.pick(kTerminationReasons);
    }
    ended = std::max(ended, today);
    std::int64_t recovered = 0;
    std::string agreement;
    if (success) {
      recovered = amount_fen > 0 ? amount_fen * dice.between(50, 100) / 100 / 100 * 100
                                 : dice.between(50, 800) * std::int64_t{100};
      static const std::vector<const char*> kAgreements = {"经调解，被投诉人同意退货并退款",
                                                           "经调解，被投诉人同意赔偿",
                                                           "经调解，双方达成和解，被投诉人补偿"};
      agreement = std::string(dice.pick(kAgreements)) + yuan(recovered) + "元";
    }
    at(ended, [this, no, ended, success, reason, agreement, recovered, personal]() {
      Json p = Json::object();
      p["complaint_no"] = no;
      p["ended_on"] = ended.to_string();
      if (success) {
        p["agreement"] = agreement;
        emit("complaint.mediation_succeeded", std::move(p), complaint_handler());
      } else {
        p["reason"] = reason;
        emit("complaint.mediation_terminated", std::move(p), complaint_handler());
      }
      const CivilDate closed = add_working(ended, dice.between(0, 5));
      at(closed, [this, no, closed, recovered, personal]() {
        Json q = Json::object();
        q["complaint_no"] = no;
        q["closed_on"] = closed.to_string();
        q["recovered_yuan"] = yuan(recovered);
        emit("complaint.closed", std::move(q), complaint_handler());
        if (personal && dice.permille(20)) {
          at(closed.plus_days(dice.between(30, 120)), [this, no]() {
            Json r = Json::object();
            r["complaint_no"] = no;
            r["reason"] = "投诉人申请删除个人信息";
            emit("complaint.personal_data_erased", std::move(r), "supervisor-01", false);
          });
        }
      });
    });
  }

  // ---- special-equipment incidents ----

  enum class IncidentType {
    kLiftTrapped,
    kLiftInjury,
    kForklift,
    kCraneDrop,
    kCraneStructure,
    kCraneOverturned,
    kBoilerTube,
    kVesselExplosion,
    kCylinderLeak,
    kRideStranded,
    kFlood,
    kTraffic,
    kVandal,
    kMaintenance,
  };

  struct IncidentPlan {
    IncidentType type;
    const char* category;
    int weight;
  };

  int pick_unit(const std::string& category, bool any_status, bool passenger_lift) {
    const auto& list = units_by_category[category];
    if (list.empty()) return -1;
    for (int attempt = 0; attempt < 30; ++attempt) {
      const int ui = dice.pick(list);
      const Unit& u = units[static_cast<std::size_t>(ui)];
      if (!u.registered || u.locked || u.scrap_day <= today || u.status == "scrapped") continue;
      if (!any_status && u.status != "in_use") continue;
      // Passenger lifts only (3110): not freight lifts, escalators or dumbwaiters.
      if (passenger_lift && u.code.compare(0, 3, "311") != 0) continue;
      if (entities[static_cast<std::size_t>(u.user)].trade == Trade::kPublic) continue;
      return ui;
    }
    return -1;
  }

  void new_incident() {
    static const std::vector<IncidentPlan> kPlans = {
        {IncidentType::kLiftTrapped, "lift", 45},
        {IncidentType::kLiftInjury, "lift", 3},
        {IncidentType::kForklift, "in_plant_vehicle", 12},
        {IncidentType::kCraneDrop, "crane", 5},
        {IncidentType::kCraneStructure, "crane", 3},
        {IncidentType::kCraneOverturned, "crane", 1},
        {IncidentType::kBoilerTube, "boiler", 4},
        {IncidentType::kVesselExplosion, "pressure_vessel", 1},
        {IncidentType::kCylinderLeak, "gas_cylinder", 3},
        {IncidentType::kRideStranded, "amusement_ride", 3},
        {IncidentType::kFlood, "lift", 4},
        {IncidentType::kTraffic, "in_plant_vehicle", 5},
        {IncidentType::kVandal, "lift", 3},
        {IncidentType::kMaintenance, "lift", 4},
    };
    std::vector<int> w;
    for (const auto& plan : kPlans) w.push_back(plan.weight);
    for (int attempt = 0; attempt < 5; ++attempt) {
      const IncidentPlan& plan = kPlans[dice.weighted(w)];
      // Lift pits flood in the rainy season (梅雨, summer storms), not in winter.
      if (plan.type == IncidentType::kFlood && (today.month() < 5 || today.month() > 9)) continue;
      const int ui = pick_unit(plan.category, plan.type == IncidentType::kMaintenance,
                               std::string(plan.category) == "lift");
      if (ui < 0) continue;
      report_incident(plan.type, ui);
      return;
    }
  }

  void report_incident(IncidentType type, int ui) {
    const Unit& u = units[static_cast<std::size_t>(ui)];
    const Entity& user = entities[static_cast<std::size_t>(u.user)];
    const int hour = type == IncidentType::kLiftTrapped ? dice.between(6, 22) : dice.between(7, 19);
    Json p = Json::object();
    const std::string series = "HS-TZSG-" + std::to_string(today.year());
    const std::string no = series + "-" + padded(next_number(series), 3);
    p["incident_no"] = no;
    p["equipment_code"] = u.code;
    p["occurred_at"] = today.to_string() + "T" + padded(hour, 2) + ":" +
                       padded(dice.between(0, 59), 2) + ":00+08:00";
    std::int64_t deaths = 0, serious = 0, minor = 0, loss = 0;
    bool special = true;
    std::string ground, narrative, cause;
    const std::string& where = user.name;
    const std::string vehicle = u.code.compare(0, 2, "52") == 0 ? "观光车" : "叉车";
    switch (type) {
      case IncidentType::kLiftTrapped: {
        const int people = dice.between(1, 6);
        const int minutes = dice.permille(920) ? dice.between(12, 110) : dice.between(125, 200);
        p["people_trapped"] = people;
        p["minutes_trapped"] = minutes;
        if (dice.permille(100)) minor = 1;
        loss = dice.between(0, 30) * 100;
        narrative = where + "使用的乘客电梯运行中突然停梯，" + std::to_string(people) +
                    "名乘客被困轿厢，维保单位接报后到场解救，被困约" + std::to_string(minutes) +
                    "分钟。";
        cause = "门锁回路故障导致电梯停梯，维保单位未按规定进行日常维护保养";
        break;
      }
      case IncidentType::kLiftInjury:
        if (dice.permille(150)) {
          deaths = 1;
        } else {
          serious = 1;
        }
        loss = dice.between(50, 600) * 100;
        narrative = where + "使用的电梯发生轿厢意外移动，一名乘客在出入轿厢时被剪切致伤。";
        cause = "制动器失效导致轿厢意外移动，使用单位未落实安全管理责任";
        break;
      case IncidentType::kForklift:
        if (dice.permille(400)) {
          serious = 1;
        } else {
          minor = 1;
        }
        loss = dice.between(20, 90) * 100;
        narrative = where + "的" + vehicle + "倒车时将一名作业人员撞伤。";
        cause = "叉车司机无证操作，倒车时未确认后方情况";
        break;
      case IncidentType::kCraneDrop:
        if (dice.permille(300)) {
          deaths = 1;
        } else {
          serious = 1;
        }
        loss = dice.between(100, 800) * 100;
        narrative = where + "车间桥式起重机吊运钢材时吊物坠落，砸伤地面作业人员。";
        cause = "吊索具选用不当且存在断丝，司索人员违章作业";
        break;
      case IncidentType::kCraneStructure:
        p["crane_structure_failed"] = true;
        minor = dice.between(0, 2);
        loss = dice.between(500, 4000) * 100;
        narrative = where + "起重机起升机构钢丝绳断裂，吊钩及吊物坠落，主梁局部变形。";
        cause = "钢丝绳严重磨损未及时更换，使用单位日常检查流于形式";
        break;
      case IncidentType::kCraneOverturned:
        p["crane_overturned"] = true;
        deaths = dice.permille(300) ? 1 : 0;
        serious = dice.between(0, 2);
        loss = dice.between(3000, 12000) * 100;
        narrative =
            where + (u.code.compare(0, 4, "4860") == 0 ? "的施工升降机在加节安装作业中整体倾覆。"
                     : u.code.compare(0, 2, "42") == 0 ? "的门式起重机遇大风整体倾覆。"
                                                       : "的起重机械在吊装作业中整体倾覆。");
        cause = "安装单位未按方案作业，附着装置未按规定设置";
        break;
      case IncidentType::kBoilerTube:
        minor = dice.between(0, 2);
        loss = dice.permille(300) ? dice.between(100, 600) * 100 : dice.between(30, 95) * 100;
        narrative = where + "锅炉水冷壁管爆管，锅炉紧急停炉。";
        cause = "锅炉水质处理不达标导致管壁结垢过热，司炉人员未按规定排污";
        break;
      case IncidentType::kVesselExplosion:
        p["explosion"] = true;
        deaths = dice.between(0, 1);
        serious = dice.between(1, 3);
        minor = dice.between(0, 4);
        loss = dice.between(2000, 20000) * 100;
        narrative = where + "储气罐发生物理爆炸，周边厂房受损。";
        cause = "安全阀失效且超压运行，压力容器未按期进行定期检验";
        break;
      case IncidentType::kCylinderLeak:
        minor = dice.between(1, 2);
        loss = dice.between(30, 90) * 100;
        narrative = where + "液化石油气钢瓶角阀泄漏，遇明火发生燃烧，" + std::to_string(minor) +
                    "名人员烧伤。";
        cause = "使用超期未检钢瓶，角阀密封失效";
        break;
      case IncidentType::kRideStranded: {
        const int people = dice.between(6, 20);
        const int minutes = dice.between(65, 150);
        p["people_trapped"] = people;
        p["minutes_trapped"] = minutes;
        narrative = where + "游乐设施运行中突然停机，" + std::to_string(people) +
                    "名游客滞留高空约" + std::to_string(minutes) + "分钟后被安全救下。";
        cause = "控制系统故障导致设备停机，应急救援预案演练不足";
        break;
      }
      case IncidentType::kFlood:
        special = false;
        ground = "natural_disaster";
        loss = dice.between(200, 800) * 100;
        narrative = where + "因强降雨导致地下车库进水，电梯底坑被淹，控制柜损坏。";
        break;
      case IncidentType::kTraffic:
        special = false;
        ground = "traffic_or_fire";
        minor = dice.between(1, 2);
        loss = dice.between(50, 200) * 100;
        narrative = where + "的" + vehicle + "驶出场区，在公共道路上与电动自行车相撞。";
        break;
      case IncidentType::kVandal:
        special = false;
        ground = "deliberate_damage";
        loss = dice.between(10, 60) * 100;
        narrative = where + "电梯层门被人为踹坏，电梯停止运行，无人员伤亡。";
        break;
      case IncidentType::kMaintenance:
        special = false;
        ground = "not_in_working_state";
        if (dice.permille(500)) {
          serious = 1;
        } else {
          minor = 1;
        }
        loss = dice.between(20, 100) * 100;
        narrative = where + "电梯停用检修期间，一名维修人员在井道内作业时坠落受伤。";
        break;
    }
    p["deaths"] = deaths;
    p["serious_injuries"] = serious;
    p["minor_injuries"] = minor;
    p["direct_loss_yuan"] = loss;
    p["special_equipment_accident"] = special;
    if (!special) p["non_accident_ground"] = ground;
    p["narrative"] = narrative;
    emit("incident.reported", std::move(p), "tzsb-01");

    const CivilDate occurred = today;
    CivilDate last = occurred;
    if (special && deaths + serious + minor > 0 && dice.permille(350)) {
      const CivilDate revised = occurred.plus_days(dice.between(2, 25));
      last = revised;
      if (minor > 0 && dice.permille(600)) {
        --minor;
        ++serious;
      } else if (serious > 0 && dice.permille(150)) {
        --serious;
        ++deaths;
      } else {
        ++minor;
      }
      at(revised, [this, no, revised, deaths, serious, minor]() {
        Json q = Json::object();
        q["incident_no"] = no;
        q["revised_on"] = revised.to_string();
        q["deaths"] = deaths;
        q["serious_injuries"] = serious;
        q["minor_injuries"] = minor;
        emit("incident.casualties_revised", std::move(q), "tzsb-01");
      });
    }
    const CivilDate closed = next_working(occurred.plus_days(dice.between(40, 160)));
    if (opt.void_permille > 0 && dice.permille(std::min(1000, opt.void_permille * 5))) {
      // Closed too early by mistake, voided: the investigation was still open.
      const CivilDate early = next_working(last.plus_days(dice.between(3, 8)));
      const CivilDate undo = add_working(early, dice.between(1, 4));
      if (undo < closed) {
        at(early, [this, no, early, undo]() {
          Json q = Json::object();
          q["incident_no"] = no;
          q["closed_on"] = early.to_string();
          q["conclusion"] = "调查结束，结案";
          const std::uint64_t seq = emit("incident.closed", std::move(q), "tzsb-02", false);
          at(undo, [this, seq]() {
            emit_void(seq, "incident.closed", "事故调查报告尚未批复，结案登记有误，作废本条");
          });
        });
      }
    }
    at(closed, [this, no, closed, special, cause]() {
      Json q = Json::object();
      q["incident_no"] = no;
      q["closed_on"] = closed.to_string();
      q["conclusion"] =
          special ? "经调查，事故原因为" + cause + "。责任单位已完成整改，依法予以行政处罚，结案。"
                  : "经调查认定不属于特种设备事故，已移交有关部门处理，结案。";
      emit("incident.closed", std::move(q), "tzsb-01");
    });
  }

  // ---- entity changes ----

  void change_entity() {
    if (entities.empty()) return;
    const int ei = static_cast<int>(dice.index(entities.size()));
    Entity& e = entities[static_cast<std::size_t>(ei)];
    if (!e.registered || e.trade == Trade::kPublic || e.township == "城关镇") return;
    Json p = Json::object();
    p["uscc"] = e.uscc;
    const int r = static_cast<int>(dice.below(100));
    if (r < 55) {
      if (dice.permille(250)) {
        e.township = township_for(spec_of(e.trade));
        p["township"] = e.township;
      }
      e.address = make_address(e.trade, e.township);
      p["address"] = e.address;
    } else if (r < 85) {
      // 更名: a new trade name, same form.
      const std::string county = "霍山县";
      std::string ending;
      for (const auto& form : spec_of(e.trade).forms) {
        const std::string f = form.ending;
        if (e.name.size() > f.size() &&
            e.name.compare(e.name.size() - f.size(), f.size(), f) == 0) {
          ending = f;
        }
      }
      if (e.line >= 0) ending = spec_of(e.trade).lines[static_cast<std::size_t>(e.line)].ending;
      if (ending.empty() || e.name.find(e.township) != std::string::npos) return;
      std::string name;
      do {
        name = county + trade_name() + ending;
      } while (!names.insert(name).second);
      e.name = name;
      p["name"] = name;
    } else {
      // Re-tagged to one of the plan's leading industries.
      std::string industry;
      if (e.trade == Trade::kScenic || e.trade == Trade::kCatering) industry = "tcm_health";
      if (e.trade == Trade::kRetail || e.trade == Trade::kMarket) industry = "ecological_food";
      if (e.trade == Trade::kMaterials) industry = "high_end_equipment";
      if (industry.empty() || industry == e.industry) return;
      e.industry = industry;
      p["industry"] = industry;
    }
    emit("entity.changed", std::move(p), "registry-02");
  }

  // An entity of a neighbouring county registered by mistake, voided a few days later.
  void stray_entity() {
    std::vector<int> w;
    for (const auto& t : trades()) w.push_back(t.trade == Trade::kPublic ? 0 : t.baseline);
    const int index = create_entity(static_cast<Trade>(dice.weighted(w)), true);
    register_entity(index, false);
    const std::uint64_t seq = last_seq;
    at(add_working(today, dice.between(1, 5)), [this, seq]() {
      emit_void(seq, "entity.registered", "该主体登记机关为舒城县，不属本县辖区，误录入，作废本条");
    });
  }

  // ---- the day loop ----

  // The registry as it stood when the register started: entities, licences, equipment.
  void take_over() {
    std::vector<Trade> order;
    for (const auto& t : trades()) {
      for (int i = 0; i < t.baseline * opt.scale; ++i) order.push_back(t.trade);
    }
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[dice.index(i)]);
    std::vector<int> created;
    for (Trade t : order) {
      const int index = create_entity(t);
      register_entity(index);
      add_to_pools(index);
      created.push_back(index);
    }
    for (int index : created) {
      const Entity& e = entities[static_cast<std::size_t>(index)];
      const int p = spec_of(e.trade).licence_permille > 0 ? spec_of(e.trade).licence_permille
                    : licensable(e)                       ? 600
                                                          : 0;
      if (p > 0 && dice.permille(p)) {
        grant_licence(index, opt.start.plus_days(-dice.between(30, 5 * 365 - 30)));
      }
    }
    for (const auto& c : equipment_categories()) {
      for (int i = 0; i < c.baseline * opt.scale; ++i) create_unit(c.code, true);
    }
  }

  // The State Council's holiday notice of each built-in year, recorded as the register's
  // calendar once it is published (or at the start, for years already published).
  void plan_calendar_loads() {
    static const std::vector<std::pair<int, CivilDate>> kNotices = {{2025, CivilDate(2024, 11, 12)},
                                                                    {2026, CivilDate(2025, 11, 4)}};
    for (const auto& [year, published] : kNotices) {
      if (!calendar.covers(year) || year > opt.end.year() || year < opt.start.year()) continue;
      const CivilDate due = published.plus_days(dice.between(3, 10));
      const CivilDate day = due < today ? today : next_working(due);
      at(day, [this, year = year, published = published]() {
        std::string csv = "date,kind,name\n";
        for (const auto& e : calendar.entries()) {
          if (e.date.year() != year) continue;
          csv += e.date.to_string() +
                 (e.kind == CalendarDayKind::kHoliday ? ",holiday," : ",workday,") + e.name + "\n";
        }
        Json p = Json::object();
        p["year"] = year;
        p["csv"] = csv;
        p["source"] = "国务院办公厅关于" + std::to_string(year) + "年部分节假日安排的通知（" +
                      published.to_string() + "发布）";
        emit("calendar.year_loaded", std::move(p), "admin-01", false);
      });
    }
  }

  void spawn() {
    const int month = today.month() - 1;
    if (!started) {
      started = true;
      plan_calendar_loads();
      run_due_steps();  // the calendar first
      take_over();
    }
    for (int n = dice.count(per_day_milli(20)); n > 0; --n) {
      const int index = new_entity();
      const Entity& e = entities[static_cast<std::size_t>(index)];
      const int p = spec_of(e.trade).licence_permille > 0 ? spec_of(e.trade).licence_permille
                    : licensable(e)                       ? 600
                                                          : 0;
      if (p > 0 && dice.permille(p)) {
        at(next_working(today.plus_days(dice.between(20, 90))),
           [this, index]() { grant_licence(index, today); });
      }
    }
    if (opt.void_permille > 0) {
      for (int n = dice.count(per_day_milli(opt.void_permille / 5 + 1)); n > 0; --n) {
        stray_entity();
      }
    }
    // Producers licensed for the first time.
    for (int n = dice.count(per_day_milli(2)); n > 0; --n) {
      const Entity& e = entities[dice.index(entities.size())];
      if (e.registered && !e.licensed && licensable(e) && e.township != "城关镇") {
        grant_licence(static_cast<int>(&e - entities.data()), today);
      }
    }
    for (const auto& c : equipment_categories()) {
      for (int n = dice.count(per_day_milli(c.new_per_year)); n > 0; --n)
        create_unit(c.code, false);
    }
    if (opt.void_permille > 0) {
      for (int n = dice.count(per_day_milli(opt.void_permille / 5)); n > 0; --n) {
        wrong_unit_status();
      }
    }
    for (int n = dice.count(static_cast<std::int64_t>(entities.size()) * 30 / 365); n > 0; --n) {
      change_entity();
    }
    for (int n = dice.count(per_day_milli(10)); n > 0; --n) new_incident();
    const int weekday_factor = working(today) ? 116 : 60;
    for (int n = dice.count(per_day_milli(
             600, kComplaintSeason[static_cast<std::size_t>(month)] * weekday_factor / 100));
         n > 0; --n) {
      new_complaint();
    }
    if (working(today)) {
      // ~249 working days a year: 1,500 batches a year.
      const std::int64_t per_working_day =
          1500LL * opt.scale * 1000 * kSamplingSeason[static_cast<std::size_t>(month)] / 100 / 249;
      for (int n = dice.count(per_working_day); n > 0; --n) new_batch();
    }
  }

  void run_due_steps() {
    const std::int64_t day = today.days_since_epoch();
    while (!steps.empty() && steps.begin()->first.first <= day) {
      auto node = steps.extract(steps.begin());
      node.mapped()();
    }
  }

  // Generates the next day; false once the history is complete.
  bool advance() {
    if (finished) return false;
    if (started) today = today.plus_days(1);
    if (today > opt.end) {
      finished = true;
      steps.clear();
      return false;
    }
    spawn();
    run_due_steps();
    return true;
  }
};

DemoHistory::Impl::Impl(const DemoOptions& options) : opt(options), dice(options.seed) {
  if (opt.scale < 1 || opt.scale > 1000) {
    throw std::invalid_argument("demo: scale must be between 1 and 1000");
  }
  if (opt.correction_permille < 0 || opt.correction_permille > 1000 || opt.void_permille < 0 ||
      opt.void_permille > 1000) {
    throw std::invalid_argument("demo: correction and void rates must be between 0 and 1000");
  }
  if (opt.end < opt.start) throw std::invalid_argument("demo: end must not be before start");
  if (opt.start.year() < 2000) throw std::invalid_argument("demo: start must be 2000 or later");
  today = opt.start;
  period_days = days_between(opt.start, opt.end) + 1;
  static const std::vector<std::string> kRegions = {"11", "31", "32", "33", "34",
                                                    "35", "37", "41", "42", "44"};
  for (int i = 0; i < 40; ++i) {
    manufacturers.push_back(dice.pick(kRegions) + padded(dice.between(1, 999), 3));
  }
}

DemoHistory::DemoHistory(const DemoOptions& options) : impl_(std::make_unique<Impl>(options)) {}
DemoHistory::~DemoHistory() = default;
DemoHistory::DemoHistory(DemoHistory&&) noexcept = default;
DemoHistory& DemoHistory::operator=(DemoHistory&&) noexcept = default;

std::optional<AppendRequest> DemoHistory::next() {
  while (impl_->out.empty()) {
    if (!impl_->advance()) return std::nullopt;
  }
  AppendRequest request = std::move(impl_->out.front());
  impl_->out.pop_front();
  ++impl_->produced;
  return request;
}

std::uint64_t DemoHistory::produced() const { return impl_->produced; }

const DemoOptions& DemoHistory::options() const { return impl_->opt; }

}  // namespace qledger
