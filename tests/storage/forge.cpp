#include "tests/storage/forge.hpp"
#include "tests/storage/raw_db.hpp"

#include "storage/event_log.hpp"
#include "storage/log_record.hpp"

#include <rocksdb/write_batch.h>

#include <stdexcept>

namespace waitroom::storage::testing {

namespace {

namespace rdb = ROCKSDB_NAMESPACE;

void check(const rdb::Status& s) {
  if (!s.ok()) throw std::runtime_error("forge: " + s.ToString());
}

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

} // namespace

std::uint64_t forge_append(const std::filesystem::path& dir, const std::string& stream,
                           std::string bytes) {
  raw_db raw(dir);
  const auto head =
      detail::get_be64(raw.get("meta", std::string(detail::meta_head_seq)).value_or(""));
  const auto hash_value = raw.get("meta", std::string(detail::meta_head_hash)).value_or("");
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
