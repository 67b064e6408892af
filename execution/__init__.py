"""Execution: from decisions to a supervised ledger (决策执行与督查台账). Fed by approved minutes (minutes/)."""
