// The on-disk cache of decoded image folders, so that a second run on the same folder starts at
// once: one checkpoint-container file (engine/io/checkpoint.h: checksummed, written atomically) per
// folder state, named by the folder's fingerprint. The fingerprint covers what decides the pixels:
// the cache format, the load options, the class names, and per file its path under the root, size
// and modification time (ns), so an edited, added or removed file makes a new entry. A file that
// fails validation (checksum, shapes, labels) is not used: the folder is decoded again and the entry
// rewritten.
#pragma once
#include <optional>
#include <string>

#include "engine/data/image_folder.h"

namespace aws {

// 16 hex digits. UserError naming a file that cannot be stat'ed.
std::string folder_fingerprint(const FolderListing& listing, const FolderLoadOptions& opt);

// $AWS_CACHE_DIR, else $XDG_CACHE_HOME/aws, else $HOME/.cache/aws ("" when none is set).
std::string default_folder_cache_dir();

// The entry's path: <dir>/folder-<fingerprint>.awsc.
std::string folder_cache_path(const std::string& dir, const std::string& fingerprint);

// The cached load, or nullopt when there is no entry; an invalid entry also gives nullopt and says
// why in *note.
std::optional<FolderLoad> folder_cache_read(const std::string& path, const std::string& fingerprint,
                                            std::string* note);

// Writes the entry (creating the folder). Errors are returned as a note, not thrown: a cache that
// cannot be written costs only time.
std::string folder_cache_write(const std::string& path, const std::string& fingerprint, const FolderLoad& load);

}  // namespace aws
