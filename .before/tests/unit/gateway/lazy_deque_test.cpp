#include <doctest/doctest.h>

#include <vector>

#include "gateway/lazy_deque.hpp"

using wv::gate::lazy_deque;

TEST_CASE("lazy_deque: a deque in order, empty again after the last pop or a clear") {
    lazy_deque<int> q;
    CHECK(q.empty());
    CHECK(q.size() == 0);
    q.push_back(2);
    q.emplace_back(3);
    const std::vector<int> front{0, 1};
    q.insert(q.begin(), front.begin(), front.end());
    CHECK(q.size() == 4);
    CHECK(std::vector<int>(q.begin(), q.end()) == std::vector<int>{0, 1, 2, 3});
    for (int want = 0; want < 4; ++want) {
        CHECK(q.front() == want);
        q.pop_front();
    }
    CHECK(q.empty());
    q.push_back(7);  // usable again after it gave its memory back
    CHECK(q.front() == 7);
    q.clear();
    CHECK(q.empty());
}

TEST_CASE("lazy_deque: read through a const reference, empty or not") {
    lazy_deque<int> q;
    const auto& view = q;
    CHECK(std::vector<int>(view.begin(), view.end()).empty());
    q.push_back(4);
    q.push_back(5);
    CHECK(std::vector<int>(view.begin(), view.end()) == std::vector<int>{4, 5});
}
