/** The Boards list and one board (columns, task drawer): the feature's only public entry. */
import './boards.css';
export { BoardView } from './board-view';
export { BoardsPage } from './boards';
