// The object type of the core's JSON: insertion-ordered like nlohmann::ordered_map, with a hash
// index so that lookups and inserts stay O(1) on objects with many keys (list-users-full is one
// object keyed by username; a WHMCS install may send thousands of configurable options).
//
// Why not std::map (nlohmann::json)? It sorts keys, so a profile's round trip through the core would
// reorder what Comet sent, and every host's bytes would change. Why not ordered_map? Its find and
// insert scan every key, so parsing an object of n keys costs O(n^2) (measured: 40,000 options took
// 2.3 s). This map keeps ordered_map's behaviour and byte output exactly, and adds an index.
//
// The index is built lazily, only for objects past a few keys (small objects are scanned, which is
// faster than hashing), and is dropped by any change other than an append, then rebuilt on the next
// lookup. Every mutating member of the vector is hidden here, so nlohmann's code (which only ever
// sees this type) cannot change the elements behind the index's back.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cometprov {

template <class Key, class T, class IgnoredLess = std::less<Key>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
struct indexed_ordered_map : std::vector<std::pair<const Key, T>, Allocator> {
    using key_type = Key;
    using mapped_type = T;
    using Container = std::vector<std::pair<const Key, T>, Allocator>;
    using iterator = typename Container::iterator;
    using const_iterator = typename Container::const_iterator;
    using size_type = typename Container::size_type;
    using value_type = typename Container::value_type;
    using key_compare = std::equal_to<>;

    // Objects up to this size are searched linearly and never indexed.
    static constexpr size_type kIndexFrom = 12;

    indexed_ordered_map() noexcept(noexcept(Container())) : Container{} {}
    explicit indexed_ordered_map(const Allocator& alloc) noexcept(noexcept(Container(alloc)))
        : Container{alloc} {}
    template <class It>
    indexed_ordered_map(It first, It last, const Allocator& alloc = Allocator()) : Container{alloc} {
        for (; first != last; ++first) insert(*first);
    }
    indexed_ordered_map(std::initializer_list<value_type> init, const Allocator& alloc = Allocator())
        : Container{alloc} {
        for (const auto& v : init) insert(v);
    }
    indexed_ordered_map(const indexed_ordered_map& other) : Container(other) {}
    indexed_ordered_map(indexed_ordered_map&& other) noexcept : Container(std::move(other)) {
        other.drop_index();
    }
    indexed_ordered_map& operator=(const indexed_ordered_map& other) {
        if (this != &other) {
            Container::operator=(other);
            drop_index();
        }
        return *this;
    }
    indexed_ordered_map& operator=(indexed_ordered_map&& other) noexcept {
        if (this != &other) {
            Container::operator=(std::move(other));
            drop_index();
            other.drop_index();
        }
        return *this;
    }

    template <class KeyType>
    std::pair<iterator, bool> emplace(KeyType&& key, T&& t) {
        const size_type at = position_of(key);
        if (at != npos) return {this->begin() + static_cast<std::ptrdiff_t>(at), false};
        Container::emplace_back(std::forward<KeyType>(key), std::forward<T>(t));
        note_append();
        return {std::prev(this->end()), true};
    }

    template <class KeyType>
    T& operator[](KeyType&& key) {
        return emplace(std::forward<KeyType>(key), T{}).first->second;
    }
    template <class KeyType>
    const T& operator[](KeyType&& key) const {
        return at(std::forward<KeyType>(key));
    }

    template <class KeyType>
    T& at(KeyType&& key) {
        const size_type i = position_of(key);
        if (i == npos) missing_key();
        return (*this)[i].second;
    }
    template <class KeyType>
    const T& at(KeyType&& key) const {
        const size_type i = position_of(key);
        if (i == npos) missing_key();
        return Container::operator[](i).second;
    }

    template <class KeyType, class = std::enable_if_t<!std::is_same<std::decay_t<KeyType>, iterator>::value &&
                                                      !std::is_same<std::decay_t<KeyType>, const_iterator>::value>>
    size_type erase(KeyType&& key) {
        const size_type i = position_of(key);
        if (i == npos) return 0;
        erase(this->begin() + static_cast<std::ptrdiff_t>(i));
        return 1;
    }

    iterator erase(iterator pos) { return erase(pos, std::next(pos)); }

    iterator erase(iterator first, iterator last) {
        if (first == last) return first;
        const auto affected = std::distance(first, last);
        const auto offset = std::distance(Container::begin(), first);
        // Keys are const, so elements are re-created in place rather than assigned (as ordered_map does).
        for (auto it = first; std::next(it, affected) != Container::end(); ++it) {
            it->~value_type();
            new (&*it) value_type{std::move(*std::next(it, affected))};
        }
        Container::resize(this->size() - static_cast<size_type>(affected));
        drop_index();
        return Container::begin() + offset;
    }

    template <class KeyType>
    size_type count(KeyType&& key) const {
        return position_of(key) == npos ? 0 : 1;
    }
    template <class KeyType>
    bool contains(KeyType&& key) const {
        return position_of(key) != npos;
    }

    template <class KeyType>
    iterator find(KeyType&& key) {
        const size_type i = position_of(key);
        return i == npos ? Container::end() : this->begin() + static_cast<std::ptrdiff_t>(i);
    }
    template <class KeyType>
    const_iterator find(KeyType&& key) const {
        const size_type i = position_of(key);
        return i == npos ? Container::end() : this->begin() + static_cast<std::ptrdiff_t>(i);
    }

    std::pair<iterator, bool> insert(value_type&& value) {
        return emplace(value.first, std::move(value.second));
    }
    std::pair<iterator, bool> insert(const value_type& value) {
        const size_type at = position_of(value.first);
        if (at != npos) return {this->begin() + static_cast<std::ptrdiff_t>(at), false};
        Container::push_back(value);
        note_append();
        return {std::prev(this->end()), true};
    }
    template <typename InputIt>
    void insert(InputIt first, InputIt last) {
        for (auto it = first; it != last; ++it) insert(*it);
    }

    void clear() noexcept {
        Container::clear();
        drop_index();
    }
    void swap(indexed_ordered_map& other) noexcept {
        Container::swap(other);
        drop_index();
        other.drop_index();
    }

    // The vector's other mutators would bypass the index: hidden.
    void push_back(const value_type&) = delete;
    void pop_back() = delete;
    void resize(size_type) = delete;
    template <class... Args>
    void emplace_back(Args&&...) = delete;
    template <class... Args>
    void assign(Args&&...) = delete;

  private:
    static constexpr size_type npos = static_cast<size_type>(-1);

    // at() of an absent key: nlohmann's contract is an exception; the wasm builds have none, and the
    // core never calls at() on a key it has not checked, so there it is a bug that stops the module.
    [[noreturn]] static void missing_key() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        throw std::out_of_range("key not found");
#else
        std::abort();
#endif
    }

    // Key -> position. Keys are copied: the elements' own strings move when the vector grows.
    mutable std::unordered_map<std::string, size_type> index_;
    mutable bool indexed_ = false;

    void drop_index() const noexcept {
        if (indexed_) {
            index_.clear();
            indexed_ = false;
        }
    }

    void note_append() {
        if (indexed_) index_.emplace(this->back().first, this->size() - 1);
    }

    template <class KeyType>
    size_type position_of(const KeyType& key) const {
        const std::string_view k(key);
        if (this->size() < kIndexFrom) {
            for (size_type i = 0; i < this->size(); ++i) {
                if (std::string_view(Container::operator[](i).first) == k) return i;
            }
            return npos;
        }
        if (!indexed_) {
            index_.clear();
            index_.reserve(this->size());
            for (size_type i = 0; i < this->size(); ++i) index_.emplace(Container::operator[](i).first, i);
            indexed_ = true;
        }
        // Heterogeneous lookup needs C++20; one temporary key string is cheap next to a scan.
        const auto it = index_.find(std::string(k));
        return it == index_.end() ? npos : it->second;
    }
};

}  // namespace cometprov
