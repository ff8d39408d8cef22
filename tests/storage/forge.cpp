#include "tests/storage/forge.hpp"

#include <rocksdb/write_batch.h>

#include <map>

namespace waitroom::storage::testing {

namespace {

namespace rdb = ROCKSDB_NAMESPACE;

void check(const rdb::Status& s) {
  if (!s.ok()) throw std::runtime_error("forge: " + s.ToString());
}

// The log directory opened with the plain RocksDB API.
class raw_log {
 public:
  explicit raw_log(const std::filesystem::path& dir) {
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
      cf_.emplace(names[i], handles[i]);
  }
  ~raw_log() {
    for (auto& [name, h] : cf_)
      (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }
  rdb::DB* db() { return db_.get(); }
  rdb::ColumnFamilyHandle* cf(const std::string& name) { return cf_.at(name); }
  std::string get(const std::string& cf_name, const std::string& key) {
    std::string v;
    check(db_->Get(rdb::ReadOptions{}, cf(cf_name), key, &v));
    return v;
  }

 private:
  std::unique_ptr<rdb::DB> db_;
  std::map<std::string, rdb::ColumnFamilyHandle*> cf_;
};

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

} // namespace

std::uint64_t forge_append(const std::filesystem::path& dir, const std::string& stream,
                           std::string bytes) {
  raw_log raw(dir);
  const auto head = detail::get_be64(raw.get("meta", std::string(detail::meta_head_seq)));
  const auto hash_value = raw.get("meta", std::string(detail::meta_head_hash));
  if (!head || hash_value.size() != 32) throw std::runtime_error("forge: bad head");
  hash256 prev{};
  for (std::size_t i = 0; i < 32; ++i)
    prev[i] = static_cast<std::uint8_t>(hash_value[i]);
  const std::uint64_t seq = *head + 1;

  std::uint32_t version = 0;
  std::unique_ptr<rdb::Iterator> it{
      raw.db()->NewIterator(rdb::ReadOptions{}, raw.cf("streams"))};
  const auto prefix = detail::stream_prefix(stream);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    ++version;
  replace_all(bytes, "@SEQ@", std::to_string(seq));
  replace_all(bytes, "@VERSION@", std::to_string(version + 1));

  const auto hash = chain_hash(prev, bytes);
  rdb::WriteBatch batch;
  check(batch.Put(raw.cf("log"), detail::seq_key(seq), detail::make_record(hash, bytes)));
  check(batch.Put(raw.cf("streams"), detail::stream_key(stream, version + 1),
                  detail::seq_key(seq)));
  check(batch.Put(raw.cf("meta"), std::string(detail::meta_head_seq), detail::seq_key(seq)));
  check(batch.Put(raw.cf("meta"), std::string(detail::meta_head_hash),
                  std::string(reinterpret_cast<const char*>(hash.data()), hash.size())));
  rdb::WriteOptions wo;
  wo.sync = true;
  check(raw.db()->Write(wo, &batch));
  return seq;
}

} // namespace waitroom::storage::testing
