#pragma once
// Test support: a log directory opened with the plain RocksDB API, as an attacker, a bug
// or an older build would write it. Every column family, default options. Errors
// throw std::runtime_error (in tests: a failure).

#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace waitroom::storage::testing {

class raw_db {
 public:
  explicit raw_db(const std::filesystem::path& dir) {
    namespace rdb = ROCKSDB_NAMESPACE;
    std::vector<std::string> names;
    check(rdb::DB::ListColumnFamilies(rdb::DBOptions{}, dir.string(), &names));
    std::vector<rdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names)
      cfs.emplace_back(n, rdb::ColumnFamilyOptions{});
    std::vector<rdb::ColumnFamilyHandle*> handles;
    rdb::DB* raw = nullptr;
    check(rdb::DB::Open(rdb::DBOptions{}, dir.string(), cfs, &handles, &raw));
    db_.reset(raw);
    for (std::size_t i = 0; i < names.size(); ++i)
      handles_.emplace(names[i], handles[i]);
  }
  ~raw_db() {
    for (auto& [name, h] : handles_)
      (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  ROCKSDB_NAMESPACE::DB* db() { return db_.get(); }
  ROCKSDB_NAMESPACE::ColumnFamilyHandle* cf(const std::string& name) {
    return handles_.at(name);
  }

  std::vector<std::string> column_families() const {
    std::vector<std::string> out;
    for (const auto& [name, h] : handles_)
      out.push_back(name);
    return out;
  }
  std::optional<std::string> get(const std::string& cf_name, const std::string& key) {
    std::string v;
    auto s = db_->Get(ROCKSDB_NAMESPACE::ReadOptions{}, cf(cf_name), key, &v);
    if (s.IsNotFound()) return std::nullopt;
    check(s);
    return v;
  }
  void put(const std::string& cf_name, const std::string& key, const std::string& value) {
    check(db_->Put(ROCKSDB_NAMESPACE::WriteOptions{}, cf(cf_name), key, value));
  }
  void erase(const std::string& cf_name, const std::string& key) {
    check(db_->Delete(ROCKSDB_NAMESPACE::WriteOptions{}, cf(cf_name), key));
  }
  std::size_t count(const std::string& cf_name) {
    std::unique_ptr<ROCKSDB_NAMESPACE::Iterator> it{
        db_->NewIterator(ROCKSDB_NAMESPACE::ReadOptions{}, cf(cf_name))};
    std::size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      ++n;
    return n;
  }

 private:
  static void check(const ROCKSDB_NAMESPACE::Status& s) {
    if (!s.ok()) throw std::runtime_error("raw_db: " + s.ToString());
  }
  std::unique_ptr<ROCKSDB_NAMESPACE::DB> db_;
  std::map<std::string, ROCKSDB_NAMESPACE::ColumnFamilyHandle*> handles_;
};

} // namespace waitroom::storage::testing
