#include "qledger/report_formats.hpp"

#include <xlsxwriter.h>

#include <cmath>
#include <ctime>
#include <stdexcept>

namespace qledger {

namespace {

// Rounded like the JSON document, so both carry the same numbers.
double number6(double x) { return std::round(x * 1e6) / 1e6; }

// Excel's limit on one sheet.
constexpr std::uint64_t kMaxRows = 1048576;

class Workbook {
 public:
  Workbook(const std::string& path, std::time_t created) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    book_ = workbook_new_opt(path.c_str(), &options);
    if (book_ == nullptr) throw std::runtime_error("cannot create workbook " + path);
    props_.title = const_cast<char*>("qledger report");
    props_.created = created;  // fixed: equal reports give equal bytes
    workbook_set_properties(book_, &props_);
    header = add_format();
    format_set_bold(header);
    format_set_bg_color(header, 0xDDE4EE);
    format_set_text_wrap(header);
    format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
    percent = add_format();
    format_set_num_format(percent, "0.0%");
    per10k = add_format();
    format_set_num_format(per10k, "0.000");
    yuan = add_format();
    format_set_num_format(yuan, "#,##0.00");
    wrap = add_format();
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  }
  ~Workbook() {
    if (book_ != nullptr) workbook_close(book_);  // only after an exception: best effort
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_worksheet* sheet(const char* name) {
    lxw_worksheet* s = workbook_add_worksheet(book_, name);
    if (s == nullptr) throw std::runtime_error("cannot add worksheet");
    worksheet_set_paper(s, 9);  // A4
    worksheet_set_landscape(s);
    return s;
  }

  void close() {
    const lxw_error error = workbook_close(book_);
    book_ = nullptr;
    if (error != LXW_NO_ERROR) {
      throw std::runtime_error(std::string("cannot write workbook: ") + lxw_strerror(error));
    }
  }

  lxw_format *header = nullptr, *percent = nullptr, *per10k = nullptr, *yuan = nullptr,
             *wrap = nullptr;

 private:
  lxw_format* add_format() { return workbook_add_format(book_); }
  lxw_workbook* book_ = nullptr;
  lxw_doc_properties props_{};
};

void text(lxw_worksheet* s, lxw_row_t row, lxw_col_t col, const std::string& value,
          lxw_format* format = nullptr) {
  // Written as a string cell: never interpreted as a formula.
  worksheet_write_string(s, row, col, value.c_str(), format);
}

void number(lxw_worksheet* s, lxw_row_t row, lxw_col_t col, double value,
            lxw_format* format = nullptr) {
  worksheet_write_number(s, row, col, value, format);
}

void headers(Workbook& book, lxw_worksheet* s, lxw_row_t row,
             const std::vector<const char*>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    text(s, row, static_cast<lxw_col_t>(i), names[i], book.header);
  }
}

// Value columns shared by the summary, breakdown and monthly sheets, from column `col`:
// 分子 分母 待定 比率 置信下限 置信上限 状态 挽回金额(元). Absent values stay empty.
void value_cells(Workbook& book, lxw_worksheet* s, lxw_row_t row, lxw_col_t col,
                 const FigureDefinition& def, const FigureValue& v) {
  lxw_format* rate_format = def.kind == FigureKind::kPer10k ? book.per10k : book.percent;
  number(s, row, col, static_cast<double>(v.numerator));
  number(s, row, col + 1, static_cast<double>(v.denominator));
  number(s, row, col + 2, static_cast<double>(v.pending));
  if (v.rate) number(s, row, col + 3, number6(*v.rate), rate_format);
  if (v.interval) {
    number(s, row, col + 4, number6(v.interval->lower), rate_format);
    number(s, row, col + 5, number6(v.interval->upper), rate_format);
  }
  text(s, row, col + 6, status_label_zh(v.status));
  if (def.kind == FigureKind::kAmount) {
    number(s, row, col + 7, static_cast<double>(v.numerator) / 100.0, book.yuan);
  }
}

const std::vector<const char*> kValueHeaders = {
    "分子", "分母", "待定", "比率", "置信下限(95%)", "置信上限(95%)", "状态", "挽回金额(元)"};

std::vector<const char*> with_values(std::vector<const char*> first) {
  first.insert(first.end(), kValueHeaders.begin(), kValueHeaders.end());
  return first;
}

}  // namespace

void write_report_xlsx(const Report& r, const std::string& path) {
  // The creation time is the evaluation date (00:00 UTC), not the clock.
  const std::int64_t days = days_between(CivilDate(1970, 1, 1), r.as_of);
  Workbook book(path, static_cast<std::time_t>(days * 86400));

  // 汇总: the report's identity, then one row per figure.
  lxw_worksheet* summary = book.sheet("汇总");
  const std::vector<std::pair<const char*, std::string>> identity = {
      {"期间", r.period.to_string()},
      {"起始日期", r.period.first_day().to_string()},
      {"截止日期", r.period.last_day().to_string()},
      {"评估日期", r.as_of.to_string()},
      {"账本大小", ""},
      {"根哈希", to_hex(r.head.root)},
      {"检查点来源", r.origin}};
  lxw_row_t row = 0;
  for (const auto& [label, value] : identity) {
    text(summary, row, 0, label, book.header);
    if (std::string(label) == "账本大小") {
      number(summary, row, 1, static_cast<double>(r.head.size));
    } else {
      text(summary, row, 1, value);
    }
    ++row;
  }
  ++row;
  const lxw_row_t table_row = row;
  headers(book, summary, row++, with_values({"指标代码", "指标", "Figure", "目标", "依据"}));
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    text(summary, row, 0, def.id);
    text(summary, row, 1, def.name_zh);
    text(summary, row, 2, def.name_en);
    text(summary, row, 3, target_text(def, r.config.target_of(def.id)));
    text(summary, row, 4, def.basis == DecisionBasis::kInterval ? "置信区间" : "全数");
    value_cells(book, summary, row, 5, def, f.total);
    ++row;
  }
  worksheet_set_column(summary, 0, 0, 30, nullptr);
  worksheet_set_column(summary, 1, 1, 30, nullptr);
  worksheet_set_column(summary, 2, 2, 36, nullptr);
  worksheet_set_column(summary, 3, 12, 13, nullptr);
  worksheet_freeze_panes(summary, static_cast<lxw_row_t>(table_row + 1), 2);

  // 分组: every breakdown group of every figure.
  lxw_worksheet* groups = book.sheet("分组");
  headers(book, groups, 0, with_values({"指标代码", "指标", "分组维度", "分组"}));
  row = 1;
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    for (const auto& [dim, by_group] : f.breakdowns) {
      for (const auto& [group, value] : by_group) {
        text(groups, row, 0, def.id);
        text(groups, row, 1, def.name_zh);
        text(groups, row, 2, dimension_label_zh(dim));
        text(groups, row, 3, group_label_zh(dim, group));
        value_cells(book, groups, row, 4, def, value);
        ++row;
      }
    }
  }
  worksheet_set_column(groups, 0, 1, 28, nullptr);
  worksheet_set_column(groups, 2, 3, 16, nullptr);
  worksheet_freeze_panes(groups, 1, 4);

  // 按月: the monthly series.
  lxw_worksheet* monthly = book.sheet("按月");
  headers(book, monthly, 0, with_values({"月份", "指标代码", "指标"}));
  row = 1;
  for (const auto& m : r.monthly) {
    for (const auto& f : m.figures) {
      const FigureDefinition& def = *find_figure_definition(f.id);
      text(monthly, row, 0, m.month.to_string());
      text(monthly, row, 1, def.id);
      text(monthly, row, 2, def.name_zh);
      value_cells(book, monthly, row, 3, def, f.total);
      ++row;
    }
  }
  worksheet_set_column(monthly, 1, 2, 28, nullptr);
  worksheet_freeze_panes(monthly, 1, 3);

  // 定义: the definitions, in Chinese and English.
  lxw_worksheet* defs = book.sheet("定义");
  headers(book, defs, 0, {"指标代码", "指标", "定义", "Definition"});
  row = 1;
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    text(defs, row, 0, def.id, book.wrap);
    text(defs, row, 1, def.name_zh, book.wrap);
    text(defs, row, 2, def.definition_zh, book.wrap);
    text(defs, row, 3, def.definition_en, book.wrap);
    ++row;
  }
  worksheet_set_column(defs, 0, 1, 24, nullptr);
  worksheet_set_column(defs, 2, 3, 70, nullptr);

  // 事件序号: the units behind each total, one per row (prove any with `qledger prove --seq`).
  lxw_worksheet* seqs = book.sheet("事件序号");
  headers(book, seqs, 0, {"指标代码", "计入", "事件序号"});
  row = 1;
  bool truncated = false;
  for (const auto& f : r.figures.figures) {
    const std::pair<const char*, const std::vector<std::uint64_t>*> roles[] = {
        {"分子", &f.total.numerator_seqs},
        {"分母", &f.total.denominator_seqs},
        {"待定", &f.total.pending_seqs}};
    for (const auto& [role, list] : roles) {
      for (const std::uint64_t seq : *list) {
        if (row + 1 >= kMaxRows) {
          truncated = true;
          break;
        }
        text(seqs, row, 0, f.id);
        text(seqs, row, 1, role);
        number(seqs, row, 2, static_cast<double>(seq));
        ++row;
      }
    }
  }
  if (truncated) text(seqs, row, 0, "……超出工作表行数上限，完整列表见 JSON 或 CSV 报告");
  worksheet_set_column(seqs, 0, 0, 34, nullptr);

  // 检查点: the signed note, line by line.
  lxw_worksheet* note = book.sheet("检查点");
  text(note, 0, 0, r.checkpoint.empty() ? "（未签名）" : "签名检查点", book.header);
  row = 1;
  std::size_t pos = 0;
  while (pos < r.checkpoint.size()) {
    const std::size_t nl = r.checkpoint.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? r.checkpoint.size() : nl;
    text(note, row++, 0, r.checkpoint.substr(pos, end - pos));
    pos = end + 1;
  }
  worksheet_set_column(note, 0, 0, 100, nullptr);

  book.close();
}

}  // namespace qledger
